"""lab-run counts every byte an exercise sends on a socket, whatever call sent it (no Docker).

The flood limits, RUNAWAY and grade's "misbehaved" rest on these counts: a call left out of
them (pwritev2 once was) let a run hold Flask's workers unseen. The lines are real strace
output (strace 6.1, -f -y -ttt -T, in the workbench image).
"""

import importlib.machinery
import importlib.util

from lab_runner.paths import ROOT
from lab_runner.trace import STRING_BYTES, Trace

LAB_RUN = ROOT / "images" / "workbench" / "lab-run"


def lab_run():
    loader = importlib.machinery.SourceFileLoader("lab_run", str(LAB_RUN))
    spec = importlib.util.spec_from_loader("lab_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


SENT = [  # (line, bytes it sent on a socket)
    (b'7 1.0 write(3<socket:[11]>, "hello", 5) = 5 <0.000010>\n', 5),
    (b'7 1.0 write(1<pipe:[12]>, "printed", 7) = 7 <0.000010>\n', None),
    (b'7 1.0 pwritev2(3<socket:[11]>, [{iov_base="hello", iov_len=5}], 1, -1, 0) = 5 <0.00001>\n', 5),
    (b'7 1.0 pwritev(3<socket:[11]>, [{iov_base="hi", iov_len=2}], 1, 0) = -1 ESPIPE (Illegal seek)\n', None),
    (b"7 1.0 splice(4<pipe:[13]>, NULL, 3<socket:[11]>, NULL, 3, 0) = 3 <0.000010>\n", 3),
    (b"7 1.0 splice(3<socket:[11]>, NULL, 5<pipe:[13]>, NULL, 3, 0) = 3 <0.000010>\n", None),
    (b"7 1.0 sendfile(3<socket:[11]>, 6</tmp/f>, NULL, 4096) = 4096 <0.000010>\n", 4096),
    (
        b'7 1.0 sendmmsg(3<socket:[11]>, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="ab",'
        b" iov_len=2}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=2}, {msg_hdr={msg_name=NULL,"
        b' msg_namelen=0, msg_iov=[{iov_base="cde", iov_len=3}], msg_iovlen=1, msg_controllen=0,'
        b" msg_flags=0}, msg_len=3}], 2, 0) = 2 <0.000010>\n",
        5,
    ),
]


def test_each_call_that_sends_on_a_socket_counts_its_bytes_and_no_other_does():
    module = lab_run()
    for line, expected in SENT:
        trace = module.Trace()
        name = module.CALL.match(line).group(2)
        assert (trace.sent_by(b"7", name, line) if name in module.SENDS else None) == expected, line


def test_a_send_cut_in_two_by_another_thread_counts_once_it_returns():
    module = lab_run()
    trace = module.Trace()
    first = b'7 1.0 pwritev2(3<socket:[11]>, [{iov_base="hello", iov_len=5}], 1, -1, 0 <unfinished ...>\n'
    rest = b"7 1.1 <... pwritev2 resumed>) = 5 <0.1>\n"
    assert trace.sent_by(b"7", b"pwritev2", first) is None
    assert trace.sent_by(b"7", b"pwritev2", rest) == 5


def test_every_byte_moving_call_is_traced_and_linux_aio_refused():
    module = lab_run()
    traced = set(module.TRACED.removeprefix("trace=").split(","))
    movers = {"pwritev2", "preadv2", "pwritev", "preadv", "pread64", "pwrite64", "splice", "vmsplice", "tee",
              "sendfile", "copy_file_range", "read", "write", "readv", "writev"}  # fmt: skip
    assert movers <= traced and "%network" in traced  # sendmmsg, recvmmsg and the rest of the socket calls
    refused = set(module.REFUSED.split(","))
    assert (
        {"io_setup", "io_submit", "io_uring_setup"} <= refused <= traced
    )  # strace injects only what it traces
    command = module.strace_command(1_000_005)
    assert f"inject={module.REFUSED}:error=ENOSYS" in command and "--seccomp-bpf" in command
    assert command[command.index("-s") + 1] == str(STRING_BYTES)  # the reader knows what strace shows


def test_the_reader_sees_the_positioned_and_spliced_forms_on_their_socket():
    trace = Trace.parse([
        "7 socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3<socket:[1]>, 4<socket:[2]>]) = 0",
        '7 pwritev2(3<socket:[1]>, [{iov_base="hello", iov_len=5}], 1, -1, 0) = 5',
        '7 preadv2(4<socket:[2]>, [{iov_base="hello", iov_len=10}], 1, -1, 0) = 5',
        "7 splice(5<pipe:[9]>, NULL, 3<socket:[1]>, NULL, 3, 0) = 3",
        "7 splice(4<socket:[2]>, NULL, 6<pipe:[9]>, NULL, 3, 0) = 3",
    ])  # fmt: skip
    a, b = trace.sockets
    assert [c.name for c in a.calls if a.sends(c)] == ["pwritev2", "splice"]
    assert [c.name for c in b.calls if b.receives(c)] == ["preadv2", "splice"]
    assert a.sent[0] == b"hello" and b.received[0] == b"hello"
