"""Lab 13's step-2 trace judgement on traces shaped like real runs (strace -f -y lines): a wait that
woke for several of the server's sockets passes; an attack that spins over non-blocking sockets
and makes one epoll_wait() on two pipes (both ready) does not; nor a thread per client."""

from types import SimpleNamespace

from lab_checks import load

from lab_runner.trace import Trace

EP = "<anon_inode:[eventpoll]>"
BOUND = [
    "30 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5<socket:[900]>",
    '30 bind(5<socket:[900]>, {sa_family=AF_INET, sin_port=htons(12348), sin_addr=inet_addr("0.0.0.0")},'
    " 16) = 0",
    "30 listen(5<socket:[900]>, 64) = 0",
    *[
        f"30 accept4(5<socket:[900]>, {{sa_family=AF_INET, sin_port=htons({40000 + n}),"
        f' sin_addr=inet_addr("127.0.0.1")}}, [16], SOCK_CLOEXEC) = {6 + n}<socket:[{901 + n}]>'
        for n in range(3)
    ],
]
CROWD = {"connected": 30, "ok": 30, "answered": 30, "seconds": 1.0, "wrong": [], "nonce": "n"}


def judge(lines, check):
    lab13 = load("13_event_loop", "test_event_loop")
    clock = iter(range(0, 10**6, 10))  # each look at the clock: 10 s later (no waiting for more trace)
    lab13.time = SimpleNamespace(monotonic=lambda: next(clock), sleep=lambda s: None)
    ran = SimpleNamespace(calls=Trace.parse(lines), exit_code=None)
    run = SimpleNamespace(token="t", once=lambda key, find: CROWD)
    try:
        getattr(lab13, check)(None, lambda: ran, run)
    except AssertionError as err:
        return str(err)
    return ""


def test_an_epoll_wait_that_woke_for_two_clients_passes():
    lines = [
        *BOUND,
        f"30 epoll_wait(4{EP}, [{{events=EPOLLIN, data={{u32=6, u64=6}}}},"
        " {events=EPOLLIN, data={u32=7, u64=7}}], 31, -1) = 2",
    ]
    assert judge(lines, "test_one_wait_woke_for_several_sockets") == ""


def test_a_select_over_its_sockets_passes():
    lines = [
        *BOUND,
        "30 select(9, [5<socket:[900]> 6<socket:[901]> 7<socket:[902]>], [], [], NULL) = 2 (in [6 7])",
    ]
    assert judge(lines, "test_one_wait_woke_for_several_sockets") == ""


def test_a_wait_on_two_pipes_and_a_spin_over_the_sockets_fail():
    pipes = (
        f"30 epoll_wait(9{EP}, [{{events=EPOLLOUT, data={{u32=10, u64=10}}}},"
        " {events=EPOLLOUT, data={u32=11, u64=11}}], 2, 0) = 2"
    )
    spin = "30 recvfrom(6<socket:[901]>, 0x7f00, 4096, 0, NULL, NULL) = -1 EAGAIN (Resource unavailable)"
    said = judge([*BOUND, pipes, *[spin] * 40], "test_one_wait_woke_for_several_sockets")
    assert "returned two of its sockets ready or more" in said
    said = judge([*BOUND, pipes, *[spin] * 400], "test_one_wait_woke_for_several_sockets")
    assert "400 times on sockets with nothing to read" in said and "waited only 1 times" in said


def test_a_thread_per_client_is_named():
    clone = "30 clone3({flags=CLONE_VM|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0}, 88) = 31"
    said = judge([*BOUND, clone], "test_it_ran_in_one_thread_with_no_fork")
    assert "started 1 thread(s) and 0 process(es)" in said
