"""Lab 12's step-2 judgement on traces shaped like real runs (strace -f -y lines): the program's own
wait passes, Python's wait inside sendall() under settimeout() does not, nor a blocking send
through a dup() of the socket (an attack: one real wait, then the rest sent blocking by another
descriptor), nor a retry with no wait. And a failed send's 4 KiB buffer is cut in the kept trace,
so a busy EAGAIN loop does not cut the trace itself."""

from types import SimpleNamespace

import pytest
from lab_checks import load

from lab_runner.strace_text import failed_short
from lab_runner.trace import Trace

S = "<socket:[4242]>"
L = "<socket:[4141]>"
START = [
    f"20 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3{L}",
    f'20 bind(3{L}, {{sa_family=AF_INET, sin_port=htons(12346), sin_addr=inet_addr("0.0.0.0")}}, 16) = 0',
    f"20 listen(3{L}, 128) = 0",
    f'20 accept4(3{L}, {{sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("127.0.0.1")}}, [16],'
    f" SOCK_CLOEXEC) = 4{S}",
    f"20 setsockopt(4{S}, SOL_SOCKET, SO_SNDBUF, [4096], 4) = 0",
    f"20 ioctl(4{S}, FIONBIO, [1]) = 0",
    f'20 sendto(4{S}, "000000 tok\\n"..., 156000, 0, NULL, 0) = 6144',
    f'20 sendto(4{S}, "000393 tok\\n"..., 149856, 0, NULL, 0) = -1 EAGAIN (Resource temporarily unavailable)',
]
EPOLL = "<anon_inode:[eventpoll]>"


def send(left, took=4096, pid=20, fd=4):
    return f'{pid} sendto({fd}{S}, "0004 tok\\n"..., {left}, 0, NULL, 0) = {took}'


def judge(lines):
    """(the wait check's message, the retry check's message): "" where it passes."""
    lab12 = load("12_partial_writes", "test_partial_writes")
    trace = Trace.parse(lines)
    ran = SimpleNamespace(calls=trace, exit_code=0)
    kept = {"reader": {"port": 40000, "want": 156000, "got": 156000, "same": True}}
    run = SimpleNamespace(token="tok", once=lambda key, find: kept[key] if key in kept else find())
    said = []
    for check in (
        lab12.test_it_waited_until_the_socket_was_writable,
        lab12.test_it_did_not_retry_without_waiting,
    ):
        try:
            check(None, lambda: ran, run)
            said.append("")
        except AssertionError as err:
            said.append(str(err))
    return said


def test_its_own_epoll_wait_passes():
    lines = [
        *START,
        "20 epoll_create1(EPOLL_CLOEXEC) = 5" + EPOLL,
        f"20 epoll_ctl(5{EPOLL}, EPOLL_CTL_ADD, 4{S}, {{events=EPOLLOUT, data={{u32=4, u64=4}}}}) = 0",
        f"20 epoll_wait(5{EPOLL}, [{{events=EPOLLOUT, data={{u32=4, u64=4}}}}], 1, -1) = 1",
        send(149856),
    ]
    assert judge(lines) == ["", ""]


def test_a_poll_with_a_timeout_right_after_eagain_is_its_own():
    lines = [
        *START,
        f"20 poll([{{fd=4{S}, events=POLLOUT}}], 1, 5000) = 1 ([{{fd=4, revents=POLLOUT}}])",
        send(149856),
    ]
    assert judge(lines) == ["", ""]


def test_settimeout_and_sendall_is_pythons_wait():
    poll = f"20 poll([{{fd=4{S}, events=POLLOUT}}], 1, 5000) = 1 ([{{fd=4, revents=POLLOUT}}])"
    lines = [*START, f"20 ioctl(4{S}, FIONBIO, [1]) = 0", poll, send(149856), poll, send(145760)]
    waited, _ = judge(lines)
    assert "Python makes itself" in waited


def test_a_blocking_send_through_a_dup_is_seen():
    lines = [
        *START,
        f"20 select(5, NULL, [4{S}], NULL, NULL) = 1 (out [4])",
        send(149856, took=1),
        f"20 fcntl(4{S}, F_DUPFD_CLOEXEC, 0) = 6{S}",
        f"20 ioctl(6{S}, FIONBIO, [0]) = 0",
        send(149855, took=149855, fd=6),
    ]
    waited, _ = judge(lines)
    assert "blocking again" in waited and "ioctl(6, FIONBIO, [0])" in waited


@pytest.mark.parametrize("tries", [50, 4])
def test_retries_with_no_wait_spin(tries):
    failed = START[-1]
    lines = [*START, *[failed] * tries, send(149856)]
    waited, retried = judge(lines)
    assert "no wait for the reader's connection" in waited
    assert f"send() said EAGAIN {tries + 1} times" in retried and "without waiting" in retried


def test_a_failed_sends_buffer_is_cut_in_the_kept_trace():
    line = (
        f'20 1.5 sendto(4{S}, "'
        + "0123456789" * 400
        + '"..., 149856, 0, NULL, 0) = -1 EAGAIN (Resource x) <0.00001>'
    )
    kept = failed_short(line)
    assert len(kept) < 300 and Trace.parse([kept]).calls[0].errno == "EAGAIN"
    ok = line.replace("= -1 EAGAIN (Resource x)", "= 4096")
    assert failed_short(ok) == ok
