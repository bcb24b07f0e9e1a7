"""Lab 4 checks: the datagrams SysLogHandler really sent to /dev/log (the exercise's socket calls,
recorded by strace), and what rsyslog wrote down for them in the rsyslog container."""

from __future__ import annotations

import re
from typing import NamedTuple

from lab_runner.evidence import wait_lines
from lab_runner.judges import judges
from lab_runner.services import SERVICES, log_of
from lab_runner.trace import SEND

SYSLOG = log_of("rsyslog")
# The lines with the priority rsyslog read: "<132> local0.warning ..."
PRIORITY = log_of("rsyslog", "priority")
DEV_LOG = SERVICES["rsyslog"].sockets  # the link, and the socket it leads to
HEADER = re.compile(rb"<(\d{1,3})>")
USER_INFO, LOCAL0_WARNING = 1 * 8 + 6, 16 * 8 + 4  # 14 and 132
LAB4_TAG = r"lab4(?:\[\d+\])?: "  # lab4: or lab4[pid]: (step 3)
# syslog(3) puts an RFC 3164 timestamp between the header and the tag ("<132>Dec  5 09:20:01 lab4: ");
# rsyslog reads it as the time, not as the tag, and lab 3 takes the same form.
TIMESTAMP = re.compile(r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) [ 0-9]\d \d\d:\d\d:\d\d ")


class Datagram(NamedTuple):
    pid: int
    """The process that sent it, as strace saw it."""
    pri: int | None
    """The number in its <PRI> header, None if it had none."""
    body: str
    """What followed the header and its timestamp, if any (the tag and the message), without the
    handler's trailing NUL."""

    def __str__(self) -> str:
        return ("" if self.pri is None else f"<{self.pri}>") + self.body


def datagrams(calls, token) -> list[Datagram]:
    """The datagrams with this run's token that went through a Unix datagram socket to /dev/log."""
    found = []
    for sock in calls.of("AF_UNIX", "SOCK_DGRAM"):
        if sock.peer not in DEV_LOG:
            continue
        for call in sock.calls:
            if call.name not in SEND or call.ret is None or call.ret < 0:  # send, os.write, sendmsg...
                continue
            data = call.data.rstrip(b"\n\0")
            if token.encode() not in data:
                continue
            header = HEADER.match(data)
            pri = int(header.group(1)) if header else None
            body = data[header.end() :] if header else data
            text = body.decode(errors="replace")
            found.append(
                Datagram(call.pid, pri, TIMESTAMP.sub("", text, count=1) if TIMESTAMP.match(text) else text)
            )
    return found


def sent(calls, token) -> str:
    shown = [str(d) for d in datagrams(calls, token)]
    return (
        f"sent to /dev/log: {shown}" if shown else f"nothing with the token went to /dev/log; {calls.story()}"
    )


def logged(rsyslog, path, calls, token) -> list[str]:
    """This run's lines in PATH, once as many arrived as the exercise sent (or after a few seconds)."""
    return wait_lines(rsyslog, token, count=max(1, len(datagrams(calls, token))), log=path)


def whole_in(lines: list[str], datagram: Datagram) -> list[str]:
    """The lines that hold DATAGRAM's tag and message, nothing lost (strace keeps 256 bytes: compare 200)."""
    return [line for line in lines if f" {datagram.body[:200]}" in line]


# --- step 1 -------------------------------------------------------------------------------------


def test_a_record_went_to_dev_log_as_a_datagram_with_a_pri_header(calls, token):
    headed = [d for d in datagrams(calls, token) if d.pri is not None]
    assert headed, (
        f"no datagram starting with a <PRI> header and holding this run's token; {sent(calls, token)}"
    )


@judges("send", "connect", "error", lines="rsyslog")
def test_the_info_record_is_in_syslog_whole_tagged_lab4(rsyslog, calls, token):
    info = [d for d in datagrams(calls, token) if d.pri == USER_INFO]
    assert info, f"no INFO record at facility user (<{USER_INFO}>) went out; {sent(calls, token)}"
    lines = logged(rsyslog, SYSLOG, calls, token)
    for datagram in info:
        if any(re.search(rf" {LAB4_TAG}", line) for line in whole_in(lines, datagram)):
            return
    untagged = [str(d) for d in info if not re.match(LAB4_TAG, d.body)]
    raise AssertionError(
        (
            f"the INFO record went out with no lab4 tag after its header: {untagged}; the handler puts"
            " its ident there as it sends each record, so set handler.ident = 'lab4: ' before logging. "
            if untagged
            else ""
        )
        + f"Sent {[str(d) for d in info]}; no line in {SYSLOG} holds it whole, tagged lab4. "
        f"The lines with the token: {lines or 'none'}"
    )


@judges("send", lines="rsyslog")
def test_rsyslog_read_it_as_user_info(rsyslog, calls, token):
    lines = logged(rsyslog, PRIORITY, calls, token)
    assert any(re.match(rf"<{USER_INFO}> user\.info {LAB4_TAG}", line) for line in lines), (
        f"no line tagged lab4 at user.info in {PRIORITY}; rsyslog read these: {lines or 'none'}; "
        + sent(calls, token)
    )


# --- step 2 -------------------------------------------------------------------------------------


def test_a_warning_at_local0_went_to_dev_log(calls, token):
    assert any(d.pri == LOCAL0_WARNING for d in datagrams(calls, token)), (
        f"no datagram starting with <{LOCAL0_WARNING}> (local0 = 16, warning = 4) with this run's token; "
        + sent(calls, token)
    )


@judges("send", "connect", "error", lines="rsyslog")
def test_priority_log_shows_local0_warning_tagged_lab4(rsyslog, calls, token):
    lines = logged(rsyslog, PRIORITY, calls, token)
    assert any(re.match(rf"<{LOCAL0_WARNING}> local0\.warning {LAB4_TAG}", line) for line in lines), (
        f"no line tagged lab4 at local0.warning in {PRIORITY}; rsyslog read these: {lines or 'none'}; "
        + sent(calls, token)
    )


def test_each_record_went_out_once(rsyslog, calls, token):
    sent_ = datagrams(calls, token)
    assert any(d.pri == LOCAL0_WARNING for d in sent_), (
        f"no warning at local0 went out, so there is nothing to count yet; {sent(calls, token)}"
    )
    seen: dict[str, list[str]] = {}
    for d in sent_:
        seen.setdefault(d.body, []).append(f"<{d.pri}>")
    twice = {body: pris for body, pris in seen.items() if len(pris) > 1}
    assert not twice, (
        "the same record went out more than once (two handlers saw it: a child logger hands its records "
        f"to its parent's handlers too, unless propagate is False): {twice}"
    )
    lines = logged(rsyslog, SYSLOG, calls, token)
    assert len(lines) == len(sent_), (
        f"{len(sent_)} datagram(s) with the token went out, {SYSLOG} has {len(lines)} line(s): {lines}"
    )


# --- step 3 -------------------------------------------------------------------------------------


def test_every_datagram_is_tagged_with_its_senders_pid(calls, token):
    sent_ = datagrams(calls, token)
    assert sent_, sent(calls, token)
    wrong = [f"{d} (sent by pid {d.pid})" for d in sent_ if not d.body.startswith(f"lab4[{d.pid}]: ")]
    assert not wrong, f"these do not start with `lab4[<pid>]: `, <pid> the process that sent them: {wrong}"


@judges("send", "connect", "error", lines="rsyslog")
def test_syslog_shows_the_lines_tagged_lab4_pid(rsyslog, calls, token):
    sent_ = datagrams(calls, token)
    assert sent_, sent(calls, token)
    lines = logged(rsyslog, SYSLOG, calls, token)
    missing = [
        f"lab4[{d.pid}] ({d})"
        for d in sent_
        if not any(f" lab4[{d.pid}]: " in line for line in whole_in(lines, d))
    ]
    assert not missing, (
        f"no line in {SYSLOG} tagged with the sender's pid for: {missing}. "
        f"The lines with the token: {lines or 'none'}"
    )
