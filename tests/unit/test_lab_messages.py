"""Checks' judgement and messages on recorded traces of each style (tests/fixtures/strace/
styles.trace): a dual-stack server's accept() is the IPv4 client's, "did not accept()" is said
only when no accept() returned, SO_PEERCRED's pid alone is an answer, a file named @x is no
abstract name."""

from pathlib import Path

from lab_checks import load

from lab_runner.trace import Trace, address

LINES = (Path(__file__).parent.parent / "fixtures" / "strace" / "styles.trace").read_text().splitlines()
TRACE = Trace.parse(LINES)
LAB6 = load("06_tcp_chat", "test_tcp_chat")
LAB7 = load("07_unix_stream", "test_unix_stream")


def test_lab6_takes_a_dual_stack_servers_accept_for_the_ipv4_client():
    accept = next(c for c in TRACE.named("accept4") if "::ffff:127.0.0.1" in c.args)
    port = address(accept.args)[1]
    assert LAB6.accepts_of(TRACE, port) == [accept]


def test_lab6_says_did_not_accept_only_when_no_accept_returned():
    said = LAB6.not_accepted(TRACE, 1)  # the trace accepted others, never from port 1
    assert "did not accept()" not in said and "accept() returning" in said and "('127.0.0.1'," in said
    nothing = Trace.parse([line for line in LINES if "accept4(" not in line])
    assert "did not accept() it within 3 s" in LAB6.not_accepted(nothing, 1)


def test_lab7_reads_so_peercred_whole_or_as_its_pid_alone():
    answers = [c for c in TRACE.named("getsockopt") if "SO_PEERCRED" in c.args]
    pids = [int(m.group(1)) for c in answers if (m := LAB7.PEERCRED.search(c.args))]
    assert len(pids) == 2 and pids[0] == pids[1] == answers[0].pid
