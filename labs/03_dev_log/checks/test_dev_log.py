"""Lab 3 checks: the datagrams the exercise really sent to /dev/log (its socket calls, recorded by
strace), and what rsyslog wrote down for them in the rsyslog container."""

import re
from logging.handlers import SysLogHandler

from lab_runner.evidence import wait_lines
from lab_runner.judges import judges
from lab_runner.services import SERVICES, log_of

SYSLOG = log_of("rsyslog")
PRIORITY = log_of("rsyslog", "priority")  # the same lines, with the priority rsyslog read: "<132> ..."
DEV_LOG = SERVICES["rsyslog"].sockets  # the link, and the socket it leads to
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
    return wait_lines(rsyslog, token, count=max(1, sent), timeout=3.0 if sent else 0, log=path)


def test_a_bare_datagram_went_to_dev_log(calls, token):
    assert bare(calls, token), (
        f"no datagram without a <PRI> header, with this run's token, went to /dev/log; {calls.story()}"
    )


@judges("send", "connect", "error", lines="rsyslog")
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


# rsyslog's reading of a datagram (RFC 3164, as its default parser does it): <PRI>, then an
# optional timestamp "Mmm dd hh:mm:ss ", then the tag (up to a space, a ':' included), then the
# message. Its program name is the tag up to '[', ':' or '/', so lab3: and lab3[4711]: both name lab3.
TIMESTAMP = re.compile(r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) [ 0-9]\d \d\d:\d\d:\d\d ")
READ = re.compile(r"<(\d+)> (\w+)\.(\w+) (\S*?:|\S*)(.*)")


def program_name(tag):
    return re.split(r"[\[:/]", tag, maxsplit=1)[0]


def after_header(datagram):
    """The text after <PRI> and an optional timestamp: what rsyslog keeps as tag and message."""
    rest = re.sub(r"^<\d{1,3}>", "", datagram, count=1)
    return TIMESTAMP.sub("", rest, count=1) if TIMESTAMP.match(rest) else rest


def words_of(datagram):
    """The learner's own words: after the header, the timestamp and the tag."""
    rest = after_header(datagram)
    tag = re.match(r"\S*?:|\S*", rest).group()
    return rest[len(tag) :].strip(" \n\0")


def read_by_rsyslog(lines):
    """(PRI, facility.severity, tag, program name) of each line of priority.log."""
    found = [READ.match(line) for line in lines]
    return [(int(m[1]), f"{m[2]}.{m[3]}", m[4], program_name(m[4])) for m in found if m]


def wanted(run):
    """This learner's priority (lab.toml's [values]): (facility, severity) names and numbers."""
    facility, severity = run.values["facility"], run.values["severity"]
    return facility, severity, SysLogHandler.facility_names[facility], SysLogHandler.priority_names[severity]


def why_not_yours(pri, names, run):
    facility, severity, f_number, s_number = wanted(run)
    f_sent, s_sent = divmod(pri, 8)
    said = f"PRI {pri} is facility {f_sent} * 8 + severity {s_sent}, which rsyslog reads as {names}"
    if f_sent != f_number:
        said += f"; your facility {facility} is {f_number}, not {f_sent}"
    if s_sent != s_number:
        said += f"; your severity {severity} is {s_number}, not {s_sent}"
    return said


@judges("send", "connect", "error", lines="rsyslog")
def test_it_was_logged_at_your_priority_tagged_lab3(rsyslog, calls, token, run):
    facility, severity, _, _ = wanted(run)
    mine = f"{facility}.{severity}"
    lines = logged(rsyslog, PRIORITY, calls, token)
    read = read_by_rsyslog(lines)
    if any(names == mine and name == "lab3" for _, names, _, name in read):
        return
    sent = with_header(calls, token) or bare(calls, token)
    why = []
    for pri, names, tag, name in read:
        if not pri:
            continue  # step 1's bare datagram
        if names != mine:
            why.append(why_not_yours(pri, names, run))
        if name != "lab3":
            why.append(
                f"rsyslog took {tag!r} as the tag (program name {name!r}), not lab3: the datagram must go on"
                " with 'lab3: ' right after the <PRI> header (or after a timestamp)"
                if tag
                else "rsyslog found no tag: start the message with 'lab3: ' after the <PRI> header"
            )
    assert not why, "; ".join(dict.fromkeys(why)) + f" (sent: {sent}; {PRIORITY}: {lines})"
    raise AssertionError(
        f"no line tagged lab3 at {mine} in {PRIORITY}; rsyslog read these: {lines or 'none'} (sent: {sent})"
    )


@judges("send", "connect", "error", lines="rsyslog")
def test_the_message_arrived_whole(rsyslog, calls, token):
    headed = with_header(calls, token)
    assert headed, "no datagram with a <PRI> header was sent, so none could arrive whole"
    lines = logged(rsyslog, SYSLOG, calls, token)
    kept = []
    for sent in headed:
        words = words_of(sent)[:200]  # strace shows 256 bytes of a datagram; enough to compare
        if any(words in line for line in lines):
            return
        kept.append(words)
    lost = [
        f"you sent {w!r} after the header and tag; the closest line holds {best!r}"
        for w in kept
        for best in [max(lines, key=lambda line, w=w: _common_tail(line, w), default="nothing")]
    ]
    raise AssertionError(
        f"your words did not arrive whole in {SYSLOG}: "
        + "; ".join(lost)
        + " (is there text before the <PRI> header, or a header rsyslog does not read?)"
    )


def _common_tail(line, words):
    n = 0
    while n < min(len(line), len(words)) and line[-1 - n] == words[-1 - n]:
        n += 1
    return n
