"""Helpers for checks: wait for a server's log lines, and find a container's address.

lines = wait_lines(rsyslog, "/var/log/syslog", token)            # at least one
lines = wait_lines(chat, "/var/log/chat/chat.log", token, count=3)
"""

from __future__ import annotations

import shlex
import time

import testinfra.host

WAIT = 3.0  # seconds: servers write their line a moment after the client is done


def wait_lines(
    host: testinfra.host.Host, path: str, needle: str, count: int = 1, timeout: float = WAIT
) -> list[str]:
    """The lines of the log PATH on HOST that contain NEEDLE (plain text, not a regex).

    Returns as soon as there are COUNT of them, or what there is when TIMEOUT runs out.
    """
    # -a: logs may hold bytes that are not text (a learner's raw bytes); -F: no regex.
    cmd = f"grep -aF -- {shlex.quote(needle)} {shlex.quote(path)}"
    deadline = time.monotonic() + timeout
    while True:
        found = host.run(cmd).stdout.splitlines()
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def ip_of(host: testinfra.host.Host) -> str:
    """The container's IPv4 address on the compose network."""
    return next(a for a in host.interface("eth0").addresses if "." in a)
