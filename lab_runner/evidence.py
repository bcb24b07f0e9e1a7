"""Helpers for checks: wait for a server's log lines, and find a container's address.

lines = wait_lines(rsyslog, "/var/log/syslog", token)            # at least one
lines = wait_lines(chat, "/var/log/chat/chat.log", token, count=3)
"""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import testinfra.host

T = TypeVar("T")
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


_facts: dict[object, object] = {}  # what once() found, for the life of this process
_finding = threading.Lock()


def once(key: object, find: Callable[[], T]) -> T:
    """FIND() the first time KEY is asked in this lab_runner process, then what it found: for a
    fact of the machine no run changes (its kernel's answer, Docker's seccomp profile), which a
    check would otherwise pay for again on every run of a graded class."""
    with _finding:
        if key not in _facts:
            _facts[key] = find()
        return _facts[key]  # type: ignore[return-value]


_ips: dict[str, str] = {}  # container id -> its address: a container keeps it for its life
_asking = threading.Lock()  # checks run side by side: one of them asks, the others wait for it


def ip_of(host: testinfra.host.Host) -> str:
    """The container's IPv4 address on the compose network: one command per container, then
    remembered (checks ask it often, each with a host of its own)."""
    key = getattr(host.backend, "container", None) or str(id(host))
    with _asking:
        if key not in _ips:
            out = host.check_output("ip -4 -o addr show dev eth0")  # "2: eth0    inet 172.18.0.3/16 ..."
            _ips[key] = out.split()[3].split("/")[0]
        return _ips[key]
