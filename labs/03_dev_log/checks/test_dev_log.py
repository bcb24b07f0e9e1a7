"""Lab 3 checks: the datagrams the exercise really sent to /dev/log (its socket calls, recorded by
strace), and what rsyslog wrote down for them in the rsyslog container."""

import re

from lab_runner.evidence import wait_lines

SYSLOG = "/var/log/syslog"
PRIORITY = (
    "/var/log/priority.log"  # the same lines, with the priority rsyslog read: "<132> local0.warning ..."
)
DEV_LOG = ("/dev/log", "/run/syslog/log")  # the link, and the socket it leads to
HEADER = re.compile(rb"<(\d{1,3})>")


def to_dev_log(calls, token):
    """The datagrams with this run's token that went through a Unix datagram socket to /dev/log."""
    return [
        data.rstrip(b"\n\0")
        for sock in calls.of("AF_UNIX", "SOCK_DGRAM")
        if sock.peer in DEV_LOG
        for data in sock.sent
        if token.encode() in data
    ]


def bare(calls, token):
    return [d.decode(errors="replace") for d in to_dev_log(calls, token) if not HEADER.match(d)]


def with_header(calls, token):
    return [d.decode(errors="replace") for d in to_dev_log(calls, token) if HEADER.match(d)]


def logged(rsyslog, path, calls, token):
    """This run's lines in PATH, once as many arrived as the exercise sent (or after a few seconds);
    without waiting when it sent nothing."""
    sent = len(to_dev_log(calls, token))
    return wait_lines(rsyslog, path, token, count=max(1, sent), timeout=3.0 if sent else 0)


def test_a_bare_datagram_went_to_dev_log(calls, token):
    assert bare(calls, token), (
        f"no datagram without a <PRI> header, with this run's token, went to /dev/log; {calls.story()}"
    )


def test_it_arrived_two_characters_short(rsyslog, calls, token):
    sent = bare(calls, token)
    assert sent, "no bare datagram was sent (step 1's first check), so none could arrive"
    lines = logged(rsyslog, SYSLOG, calls, token)
    text = sent[0]
    assert any(text[2:] in line and text not in line for line in lines), (
        f"sent {text!r}; expected a line ending in {text[2:]!r} in {SYSLOG}; "
        f"the lines with the token: {lines}"
    )


def test_a_datagram_with_a_pri_header_went_to_dev_log(calls, token):
    headed = with_header(calls, token)
    elsewhere = [
        sock for sock in calls.learners()
        if (sock.family, sock.type, sock.peer) not in [("AF_UNIX", "SOCK_DGRAM", p) for p in DEV_LOG]
        and any(token.encode() in data for data in sock.sent)
    ]  # fmt: skip
    assert headed, (
        "no datagram to /dev/log starts with a <PRI> header and holds this run's token; "
        + "".join(
            f"your program sent one on an {s.family} {s.type} socket to {s.peer!r}: this step wants a Unix "
            "datagram socket (AF_UNIX, SOCK_DGRAM) to /dev/log; "
            for s in elsewhere
        )
        + calls.story()
    )


def test_it_was_logged_at_local0_warning_tagged_lab3(rsyslog, calls, token):
    lines = logged(rsyslog, PRIORITY, calls, token)
    assert any(re.match(r"<132> local0\.warning lab3: ", line) for line in lines), (
        f"no line tagged lab3 at local0.warning in {PRIORITY}; rsyslog read these: {lines or 'none'}"
        f" (sent: {with_header(calls, token) or bare(calls, token)})"
    )


def test_the_message_arrived_whole(rsyslog, calls, token):
    headed = with_header(calls, token)
    assert headed, "no datagram with a <PRI> header was sent, so none could arrive whole"
    lines = logged(rsyslog, SYSLOG, calls, token)
    for sent in headed:
        message = HEADER.sub(b"", sent.encode(), count=1).decode(errors="replace")
        tag, _, words = message.partition(":")
        words = words.strip()[:200]  # strace shows 256 bytes of a datagram; enough to compare
        if any(f" {tag}: {words}" in line for line in lines):
            return
    raise AssertionError(f"sent {headed}; in {SYSLOG} the lines with the token are: {lines}")
