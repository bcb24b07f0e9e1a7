"""Lab 4 checks: SysLogHandler's records reached /var/log/syslog whole, tagged lab4, once each."""

import re

from lab_runner.fixtures import log_lines

SYSLOG = "/var/log/syslog"


def is_syslog_line(line: str, tag: str, message: str) -> bool:
    """True for "Nov 21 05:20:55 rsyslog TAG: MESSAGE": the traditional syslog line, nothing lost."""
    pattern = rf"[A-Z][a-z]{{2}} [ \d]\d \d\d:\d\d:\d\d \S+ {re.escape(tag)}: {re.escape(message)}"
    return re.fullmatch(pattern, line) is not None


def test_the_info_record_is_in_syslog_tagged_lab4(rsyslog, token):
    lines = log_lines(rsyslog, SYSLOG, f"hello from lab 4, run {token}")
    assert lines, (
        f"no 'hello from lab 4, run {token}' in {SYSLOG}: did the INFO record leave the process? "
        "(a new logger lets only WARNING and up through)"
    )
    assert any(is_syslog_line(line, "lab4", f"hello from lab 4, run {token}") for line in lines), (
        f"the line is not tagged 'lab4: ' (set handler.ident = 'lab4: '): {lines}"
    )


def test_the_warning_record_is_in_syslog_tagged_lab4(rsyslog, token):
    lines = log_lines(rsyslog, SYSLOG, f"this one is a warning, run {token}")
    assert lines, f"no 'this one is a warning, run {token}' in {SYSLOG}"
    assert any(is_syslog_line(line, "lab4", f"this one is a warning, run {token}") for line in lines), (
        f"the line is not tagged 'lab4: ': {lines}"
    )


def test_each_record_is_exactly_one_line(rsyslog, token):
    # One record, one datagram, one line. Two lines for one record: two handlers were added.
    lines = log_lines(rsyslog, SYSLOG, f"run {token}")
    assert len(lines) == 2, f"expected 2 lines with this run's token in {SYSLOG}, found {len(lines)}: {lines}"
    assert len(set(line.split(" lab4: ", 1)[-1] for line in lines)) == 2, f"a record arrived twice: {lines}"
