"""Lab 10's step-2 judgement and messages on recorded traces (tests/fixtures/strace/styles.trace):
a program's own poll(POLLOUT|POLLERR) passes, settimeout() is named only when its trace is
there, and a SO_ERROR read after a sleep is not told it came before the handshake ended."""

from pathlib import Path

from lab_checks import load

from lab_runner.trace import Trace, address

LINES = (Path(__file__).parent.parent / "fixtures" / "strace" / "styles.trace").read_text().splitlines()


def judged(sent_first: bytes | None, lines: list[str] = LINES):
    """Lab 10's wait check on the one non-blocking connect of styles.trace that sent SENT_FIRST
    (None: the one that sent nothing), the other connects left out; its message, or "" if it passes."""
    trace = Trace.parse(lines)
    lab10 = load("10_system_calls", "test_system_calls")
    waiting = [
        s for s in trace.of("AF_INET", "SOCK_STREAM") if any(c.errno == "EINPROGRESS" for c in s.calls)
    ]
    (sock,) = [s for s in waiting if (s.sent[:1] or [None])[0] == sent_first]
    keep = {id(c) for c in sock.calls} | {id(c) for c in trace.calls if f"fd={sock.fd}," in c.args}
    others = {id(c) for s in waiting if s is not sock for c in s.calls}
    trace = Trace([c for c in trace.calls if id(c) in keep or id(c) not in others], trace.exits)
    lab10.ip_of = lambda host: "127.0.0.1"
    lab10.PORT = address(sock.made("connect")[0].args)[1]
    try:
        lab10.test_your_program_waited_until_the_socket_was_writable(trace, "flask")
    except AssertionError as err:
        return str(err)
    return ""


def test_a_programs_own_poll_pollout_pollerr_passes():
    assert judged(b"after my own poll\r\n") == ""


def test_settimeout_is_named_when_its_poll_before_the_send_is_there():
    said = judged(b"under settimeout\r\n")
    assert "settimeout()" in said and "poll(POLLOUT) before each send" in said


def test_a_sleep_before_so_error_is_not_told_the_handshake_had_not_ended():
    said = judged(None)
    assert "a sleep is not that wait" in said and "1.0" in said  # about 1 s after the connect()
    assert "has not ended" not in said and "settimeout" not in said


def test_polls_with_no_timeout_are_the_programs_own_not_settimeouts():
    """settimeout()'s trace with each poll()'s timeout -1: a socket without a timeout never polls in
    Python, so these polls are the program's own, and its wait passes."""
    forever = [line.replace("}], 1, 5000)", "}], 1, -1)") for line in LINES]
    assert forever != LINES
    assert judged(b"under settimeout\r\n", forever) == ""
