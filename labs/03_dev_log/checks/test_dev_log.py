"""Lab 3 checks: this run's datagrams reached rsyslog through /dev/log and were written down."""

from lab_runner.fixtures import log_lines

SYSLOG = "/var/log/syslog"


def test_the_proper_message_is_in_syslog_with_its_tag(rsyslog, token):
    lines = log_lines(rsyslog, SYSLOG, f"run {token}")
    assert lines, f"no line with this run's token ({token}) in {SYSLOG}"
    assert any(line.endswith(f"lab3: hello from lab 3, run {token}") for line in lines), lines


def test_the_bare_message_arrived_two_characters_short(rsyslog, token):
    # Without <PRI>, rsyslog's socket input still skips one character for '<' and one for '>'.
    lines = log_lines(rsyslog, SYSLOG, f"hello-{token}")
    assert lines, f"the bare '*****hello-{token}*****' message did not reach {SYSLOG}"
    assert any(f" ***************hello-{token}" in line for line in lines), lines
    assert not any(f"*****************hello-{token}" in line for line in lines), lines
