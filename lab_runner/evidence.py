"""Helpers for checks: wait for a server's log lines, and find a container's address.

lines = wait_lines(rsyslog, "/var/log/syslog", token)            # at least one
lines = wait_lines(chat, "/var/log/chat/chat.log", token, count=3)
"""

from __future__ import annotations

import shlex
import time

import testinfra.host

WAIT = 3.0  # seconds: servers write their line a moment after the client is done
# What the checks found, kept for the run's exchange (lab_runner/serverlogs.py takes it back):
# (service, path, needle) -> the lines. The exchange then needs no command of its own.
SEEN: dict[tuple[str, str, str], list[str]] = {}


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
            SEEN[(getattr(host.backend, "service", ""), path, needle)] = found
            return found
        time.sleep(0.05)


def ip_of(host: testinfra.host.Host) -> str:
    """The container's IPv4 address on the compose network (one command, then remembered for
    this host: checks ask it often, and it does not change during a run)."""
    if not getattr(host, "lab_ip", None):
        out = host.check_output("ip -4 -o addr show dev eth0")  # "2: eth0    inet 172.18.0.3/16 ..."
        host.lab_ip = out.split()[3].split("/")[0]
    return host.lab_ip
