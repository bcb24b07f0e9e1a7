"""The trace reader on real strace lines: every form of send and receive that Python's socket
module and libc make, captured from tests/fixtures/strace/forms.py in the workbench (with
lab-run's strace options and filter; how to capture them again is in that file)."""

from pathlib import Path

from lab_runner.trace import Trace

LINES = (Path(__file__).parent.parent / "fixtures" / "strace" / "forms.trace").read_text().splitlines()
TRACE = Trace.parse(LINES)
WAITS = (Path(__file__).parent.parent / "fixtures" / "strace" / "waits.trace").read_text().splitlines()


def sock(fd, family="AF_UNIX", kind="SOCK_DGRAM"):
    (found,) = [s for s in TRACE.of(family, kind) if s.fd == fd and s.calls[0].name != "accept4"]
    return found


def test_every_form_of_send_carries_its_bytes_and_never_an_address():
    tx = sock(4)
    assert [c.name for c in tx.calls if c.name in ("sendto", "sendmsg", "write", "writev")] == [
        "sendto", "sendmsg", "sendto", "sendmsg", "write", "writev", "sendto",
    ]  # fmt: skip
    assert tx.sent[:6] == [
        b"<14>sendto with an address",  # sendto(..., {sun_path="/tmp/forms.sock"}, 18): not in the data
        b"<14>sendmsg with a name",  # sendmsg's iov_base strings, joined; its msg_name left out
        b"<14>send on a connected socket",  # send() is sendto(..., NULL, 0)
        b"<14>sendmsg without a name",
        b"<14>write on the descriptor",
        b"<14>writev two buffers",
    ]
    assert tx.peer == "/tmp/forms.sock"  # from the first sendto's address, before its connect()


def test_a_sendmsg_with_a_name_gives_an_unconnected_socket_its_peer():
    without_sendto = [line for line in LINES if "sendto with an address" not in line]
    (tx,) = [s for s in Trace.parse(without_sendto).of("AF_UNIX", "SOCK_DGRAM") if s.fd == 4]
    assert tx.peer == "/tmp/forms.sock" and tx.calls[1].name == "sendmsg"


def test_every_form_of_receive_carries_its_bytes():
    rx = sock(3)
    got = [(c.name, c.data) for c in rx.calls if c.name in ("recvfrom", "recvmsg", "read", "readv")]
    assert got[:6] == [
        ("recvfrom", b"<14>sendto with an address"),  # recv()
        ("recvfrom", b"<14>sendmsg with a name"),  # recvfrom(): an address buffer, no data of its own
        ("recvmsg", b"<14>send on a connected socket"),
        ("recvfrom", b"<14>sendmsg without a name"),  # recv_into()
        ("read", b"<14>write on the descriptor"),
        ("readv", b"<14>writev two buffers"),  # across its two buffers
    ]
    assert rx.bound == "/tmp/forms.sock"


def test_data_strace_cut_short_is_a_prefix_and_says_so():
    long_send = [c for c in sock(4).calls if c.name == "sendto"][-1]
    long_recv = [c for c in sock(3).calls if c.name == "recvfrom"][-1]
    for call in (long_send, long_recv):
        assert call.ret == 300 and call.data == b"L" * 256 and call.cut
    assert not any(c.cut for c in sock(4).calls if c is not long_send)


def test_a_stream_ends_with_a_recv_of_0_bytes_and_an_accepted_socket_knows_its_peer():
    client = next(s for s in TRACE.of("AF_INET", "SOCK_STREAM") if s.made("connect"))
    conn = next(s for s in TRACE.of("AF_INET", "SOCK_STREAM") if s.calls[0].name == "accept4")
    assert client.sent == [b"line one\r\n"] and client.made("shutdown")
    assert conn.received == [b"line one\r\n", b""] and conn.calls[-2].ret == 0
    assert client.peer == ("127.0.0.1", 39955) and conn.peer == ("127.0.0.1", 54312)  # as captured


def test_calls_resumed_after_another_thread_or_a_signal_are_whole_again():
    a, b = TRACE.of("AF_UNIX", "SOCK_STREAM")
    assert a.pair is b
    waits = [c for c in a.calls if c.name == "recvfrom"]
    # <unfinished ...> then <... recvfrom resumed>: one call, with its data and return value
    assert (waits[0].data, waits[0].ret) == (b"woke you", 8)
    assert waits[0].args.startswith('6, "woke you", 100')
    # interrupted by SIGALRM: ? ERESTARTSYS, no data; Python calls recvfrom() again
    assert (waits[1].ret, waits[1].errno, waits[1].data) == (None, "ERESTARTSYS", b"")
    assert (waits[2].data, waits[2].ret) == (b"after the signal", 16)
    # the threads' sends (CLONE_FILES: the same descriptor table), one of them resumed too
    assert b.sent == [b"woke you", b"after the signal"]
    assert {c.pid for c in b.calls if c.name == "sendto"} == {1160, 1161}
    assert a.received == [b"woke you", b"after the signal"]


def lab10_checks():
    """Lab 10's check module, for its helpers (loaded the way lab_runner loads checks)."""
    import importlib.util

    path = Path(__file__).parent.parent.parent / "labs/10_system_calls/checks/test_system_calls.py"
    spec = importlib.util.spec_from_file_location("lab10_checks_for_a_unit_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lab10_tells_a_wait_of_ones_own_from_settimeouts_and_from_none():
    trace = Trace.parse(WAITS)
    lab10 = lab10_checks()
    verdicts = []
    for sock in trace.of("AF_INET", "SOCK_STREAM"):
        if not any(c.errno == "EINPROGRESS" for c in sock.calls):
            continue
        started, reads = lab10.after_connect(trace, sock)
        waited = lab10.waits_for_writing(trace, sock, started, reads[0])
        timed = lab10.settimeout_made(trace, sock, waited)
        verdicts.append("none" if not waited else "settimeout" if timed else "own")
    # waits.py, in order: settimeout(), poll, select, selectors (epoll), asyncio (epoll), no wait.
    # settimeout()'s connect alone is a poll(POLLOUT|POLLERR) a program may make itself: with no
    # send after it, the trace cannot tell, so it does not say settimeout (test_lab10_messages.py
    # has the send that tells).
    assert verdicts == ["own", "own", "own", "own", "own", "none"]
