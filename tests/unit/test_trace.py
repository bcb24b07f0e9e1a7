"""Reading strace's lines: the sockets an exercise made and what went through them."""

from lab_runner.trace import Trace, address, decode

LAB7 = """\
40 socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 4]) = 0
40 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 41
41 close(3 <unfinished ...>
40 close(4 <unfinished ...>
41 <... close resumed>) = 0
40 <... close resumed>) = 0
40 sendto(3, "ping tok\\n", 9, 0, NULL, 0) = 9
41 recvfrom(4, "ping tok\\n", 1024, 0, NULL, NULL) = 9
41 +++ exited with 0 +++
40 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 5
40 connect(5, {sa_family=AF_INET, sin_port=htons(5001), sin_addr=inet_addr("172.18.0.3")}, 16) \
= -1 ECONNREFUSED (Connection refused)
40 socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 6
40 sendto(6, "<14>x", 5, 0, {sa_family=AF_UNIX, sun_path="/dev/log"}, 10) = 5
40 bind(7, {sa_family=AF_UNIX, sun_path=@"abstract"}, 11) = 0
"""


def test_a_socketpair_is_followed_across_fork_into_the_child():
    t = Trace.parse(LAB7.splitlines())
    parent, child = t.of("AF_UNIX", "SOCK_STREAM")
    assert (parent.pid, parent.fd, child.fd) == (40, 3, 4) and parent.pair is child
    assert parent.sent == [b"ping tok\n"]
    assert [(c.pid, c.name) for c in child.calls if c.name == "recvfrom"] == [(41, "recvfrom")]
    assert child.received == [b"ping tok\n"]
    assert t.exits == {41: "exited with 0"} and t.pids == [40, 41]


def test_failed_calls_carry_their_errno_and_unconnected_sends_their_address():
    t = Trace.parse(LAB7.splitlines())
    (refused,) = t.named("connect")[-1:]
    assert (refused.ret, refused.errno) == (-1, "ECONNREFUSED")
    assert t.of("AF_INET")[0].peer == ("172.18.0.3", 5001)
    assert t.of("AF_UNIX", "SOCK_DGRAM")[0].peer == "/dev/log"
    assert "AF_UNIX SOCK_DGRAM socket (fd 6, pid 40) to '/dev/log', sent 1 message(s)" in t.story()


def test_strings_and_addresses_decode_as_strace_writes_them():
    assert decode(r"a\nb\"c\\d\0e\x41\177") == b'a\nb"c\\d\x00eA\x7f'
    assert address('{sa_family=AF_UNIX, sun_path=@"abstract"}') == "@abstract"
    assert address("{sa_family=AF_UNIX}") == ""
    six = '{sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &x)}'
    assert address(six) == ("::1", 80)


def test_what_is_shown_leaves_out_the_resolver_and_the_interpreters_closes():
    lines = [
        "9 close(3) = 0",
        "9 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3",
        '9 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.11")}, 16) = 0',
        "9 close(3) = 0",
        "9 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3",
        '9 connect(3, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("172.18.0.3")}, 16) = 0',
        "9 close(3) = 0",
    ]
    shown = Trace.parse(lines).shown()
    assert shown == [lines[4][2:], lines[5][2:], "close(3) = 0"]
    assert Trace.parse([]).story() == "your program made no socket"


def test_a_thread_shares_the_socket_table_and_identical_lines_stay_two_calls():
    lines = [
        "5 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0}, 88) = 6",
        "6 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3",
        '5 sendto(3, "hi", 2, 0, NULL, 0) = 2',
        '5 sendto(3, "hi", 2, 0, NULL, 0) = 2',
    ]
    t = Trace.parse(lines)
    (sock,) = t.sockets
    assert sock.sent == [b"hi", b"hi"] and sock.calls[1] is not sock.calls[2]
    assert sock.calls.index(sock.calls[2]) == 2


def test_a_childs_calls_printed_before_its_parents_clone_returns_still_see_inherited_sockets():
    lines = [
        "5 socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 4]) = 0",
        "5 clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>",
        '6 sendto(4, "pong", 4, 0, NULL, 0) = 4',
        "5 <... clone resumed>, child_tidptr=0x7f) = 6",
        '5 recvfrom(3, "pong", 1024, 0, NULL, NULL) = 4',
    ]
    parent_end, child_end = Trace.parse(lines).of("AF_UNIX")
    assert child_end.sent == [b"pong"] and child_end.calls[-1].pid == 6
    assert parent_end.received == [b"pong"]
