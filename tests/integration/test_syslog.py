"""The first article's domain socket: a datagram to /dev/log lands in /var/log/syslog."""

import time

from logs import LogCursor

from lab_runner import stack

SYSLOG = "/var/log/syslog"


def send_datagram(workbench, message: str) -> None:
    """Write MESSAGE to /dev/log from the workbench, as the article does (AF_UNIX, SOCK_DGRAM)."""
    script = (
        "import socket; c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); "
        f"c.connect('/dev/log'); c.send({message.encode()!r})"
    )
    workbench.check_output(f'python3 -c "{script}"')


def wait_in_syslog(rsyslog, needle: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if rsyslog.file(SYSLOG).contains(needle):
            return True
        time.sleep(0.2)
    return False


def test_datagram_from_workbench_lands_in_syslog(workbench, rsyslog, token):
    send_datagram(workbench, f"<14>socketlab-test: {token}")
    assert wait_in_syslog(rsyslog, token)
    line = [ln for ln in rsyslog.file(SYSLOG).content_string.splitlines() if token in ln][0]
    assert line.endswith(f"socketlab-test: {token}")


def test_bare_text_loses_two_characters_as_the_article_shows(workbench, rsyslog, token):
    # Without a <PRI> header rsyslog's parser takes the first word as the tag and the
    # article's '*****************hello*****************' comes out two stars short.
    cursor = LogCursor(rsyslog, SYSLOG)
    send_datagram(workbench, f"*****************hello-{token}*****************")
    new = cursor.wait_for(token)
    assert f"***************hello-{token}*****************" in new
    assert f"*****************hello-{token}" not in new


def test_health_probe_leaves_no_line(rsyslog):
    assert not rsyslog.file(SYSLOG).contains("socketlab-health")


def test_syslog_survives_restart_and_down_up(workbench, rsyslog, token, host_of):
    send_datagram(workbench, f"<14>socketlab-test: before-{token}")
    assert wait_in_syslog(rsyslog, f"before-{token}")

    stack.compose("restart", "rsyslog", timeout=120)
    stack.up()
    assert host_of("rsyslog").file(SYSLOG).contains(f"before-{token}")
    # The workbench's /dev/log still leads to the socket that the new rsyslogd made.
    send_datagram(host_of("workbench"), f"<14>socketlab-test: after-restart-{token}")
    assert wait_in_syslog(host_of("rsyslog"), f"after-restart-{token}")

    stack.compose("down", timeout=180)
    stack.up()
    syslog = host_of("rsyslog").file(SYSLOG)
    assert syslog.contains(f"before-{token}") and syslog.contains(f"after-restart-{token}")
    send_datagram(host_of("workbench"), f"<14>socketlab-test: after-down-up-{token}")
    assert wait_in_syslog(host_of("rsyslog"), f"after-down-up-{token}")
