"""Helpers for checks: wait for a server's log lines, and find a container's address.

lines = wait_lines(rsyslog, token)                                # at least one, of its main log
lines = wait_lines(chat, token, count=3)
lines = wait_lines(rsyslog, token, log=log_of("rsyslog", "priority"))   # another of its logs

A host made for a run (lab_runner/checks.py) carries the run's identity (its sandbox's
address): wait_lines returns only the lines that identity sent, split at "\\n" only, from the
log and its previous generation (lab_runner/loglines.py says how each server's lines are told).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import testinfra.host

from lab_runner import loglines, stack
from lab_runner.context import Run, all_lines
from lab_runner.engine import EngineError
from lab_runner.hosts import EnvironmentProblem
from lab_runner.identity import Identity
from lab_runner.services import SERVICES

T = TypeVar("T")
WAIT = 3.0  # seconds: servers write their line a moment after the client is done
POLL, POLL_MAX = 0.05, 0.4  # seconds between reads of a log while a line is awaited: first, at most


def whose(host: testinfra.host.Host) -> Identity | None:
    """The run HOST was made for (None: a host of the project's own tests, which see every line)."""
    return getattr(host.backend, "identity", None)


def run_of(host: testinfra.host.Host) -> Run | None:
    """The run HOST was made for, with what it keeps while it lasts (None: a test's host)."""
    return getattr(host.backend, "run_context", None)


def _grep(
    host: testinfra.host.Host, path: str, needles: list[str], before: int = 0, whole: bool = False
) -> bytes:
    """What read_command prints on HOST, read again if the log rotated under it."""
    cmd = loglines.read_command(path, needles, before, whole)
    for _ in range(5):
        done = host.run(cmd)
        if done.rc != loglines.UNSTABLE:
            break
    return done.stdout_bytes


SNAPSHOT_BYTES = 1 << 20  # a run's own lines of one log, read at once; past this, read by needle


def _all_of_run(host: testinfra.host.Host, path: str) -> list[str] | None:
    """Every line of log PATH that HOST's run sent (raw, as read_command prints them), read with
    one command for all of the run's checks, when the exercise had ended before they began (its
    Run says so); None where that cannot serve: a test's host, a server lab still running, a
    log that names no client, or more than SNAPSHOT_BYTES of them (a flood: read by needle)."""
    run, who = run_of(host), whose(host)
    if run is None or who is None or not run.ended or (text := loglines.mark(path, who)) is None:
        return None

    def read() -> list[str] | None:
        grep = loglines.read_command(path, [text])
        cmd = f"{{ ({grep}) || echo unstable >&2; }} | head -c {SNAPSHOT_BYTES + 1}"
        for _ in range(5):
            done = host.run(cmd)
            if "unstable" not in done.stderr:
                break
        else:
            return None
        data = done.stdout_bytes
        return None if len(data) > SNAPSHOT_BYTES else loglines.split(data)

    return run.once(all_lines(getattr(host.backend, "container", ""), path), read)


def log_on(host: testinfra.host.Host, log: str | None = None) -> str:
    """LOG, or the main log of HOST's service (lab_runner/services.py): checks name a service."""
    if log:
        return log
    service = getattr(host.backend, "service", "")
    if service not in SERVICES:
        raise ValueError(f"{service or 'this host'} is no service with a log: name the log (log=...)")
    return SERVICES[service].log


def lines_of(host: testinfra.host.Host, needle: str, log: str | None = None) -> list[str]:
    """The lines of HOST's log (or LOG) that contain NEEDLE and came from HOST's run, once."""
    path = log_on(host, log)
    return loglines.of(path, loglines.split(_grep(host, path, [needle])), whose(host))


def wait_lines(
    host: testinfra.host.Host, needle: str, count: int = 1, timeout: float = WAIT, log: str | None = None
) -> list[str]:
    """The lines of HOST's service's log (or LOG) that contain NEEDLE (plain text, not a regex)
    and came from HOST's run (its identity).

    Returns as soon as there are COUNT of them, or what there is when TIMEOUT runs out.
    """
    path = log_on(host, log)
    deadline = time.monotonic() + timeout
    if (mine := _all_of_run(host, path)) is not None:  # the run's lines, read once for its checks
        found = loglines.of(path, [line for line in mine if needle in line], whose(host))
        if len(found) >= count:
            if run := run_of(host):
                run.seen[(getattr(host.backend, "service", ""), path, needle)] = found
            return found
        # It missed lines that came later: stale, for the exchange too (it reads afresh then).
        run_of(host).forget(all_lines(getattr(host.backend, "container", ""), path))  # type: ignore[union-attr]
    pause = POLL
    while True:  # not there yet (or no such read): by the needle, until there or out of time
        found = lines_of(host, needle, path)
        if len(found) >= count or time.monotonic() > deadline:
            if run := run_of(host):  # kept for the run's exchange: it then needs no command of its own
                run.seen[(getattr(host.backend, "service", ""), path, needle)] = found
            return found
        # Each read is a command in the container (~45 ms of the machine's CPU): a line that is
        # late, on a busy machine, is asked for less and less often, the last time at the deadline.
        time.sleep(min(pause, max(0.0, deadline - time.monotonic()) + 0.01))
        pause = min(pause * 1.5, POLL_MAX)


def before(host: testinfra.host.Host, line: str, lines: int = 40, log: str | None = None) -> list[list[str]]:
    """For each time LINE (a whole line, found by wait_lines: it came from HOST's run) is in
    HOST's log (or LOG), the LINES lines before it, whoever wrote them (the server's own lines,
    such as Flask's "Done !", name no client)."""
    path = log_on(host, log)
    windows: list[list[str]] = []
    current: list[str] = []
    last = None
    for text in loglines.split(_grep(host, path, [line], before=lines, whole=True)):
        number, sep, rest = _numbered(text)
        if number is None:
            continue  # grep's "--" between groups
        if last is not None and number != last + 1:
            current = []
        last = number
        if sep == ":" and rest == line:
            windows.append(current[-lines:])
        current.append(rest)
    return windows


def _numbered(text: str) -> tuple[int | None, str, str]:
    """grep -n's "12:line" (a match) or "11-line" (context): (12, ":", "line")."""
    digits = len(text) - len(text.lstrip("0123456789"))
    if not digits or digits >= len(text) or text[digits] not in ":-":
        return None, "", text
    return int(text[:digits]), text[digits], text[digits + 1 :]


# What once() found, for the life of this process: facts of the machine only, taken on the
# stack's own workbench (the `machine` host), where no exercise runs, and keyed by its container,
# so no run can shape an answer another run reads. A run's own findings go in its Run.
_facts: dict[object, object] = {}
_finding = threading.Lock()


def once(key: object, find: Callable[[], T]) -> T:
    """FIND() the first time KEY is asked in this lab_runner process, then what it found: for a
    fact of the machine no run changes (its kernel's answer, Docker's seccomp profile), which a
    check would otherwise pay for again on every run of a graded class."""
    with _finding:
        if key not in _facts:
            _facts[key] = find()
        return _facts[key]  # type: ignore[return-value]


def per_run(host: testinfra.host.Host, key: object, find: Callable[[], T]) -> T:
    """FIND() once for the run HOST was made for, under KEY (its Run keeps it, and drops it with
    the run); every time for a host of the project's own tests."""
    run = run_of(host)
    return run.once(key, find) if run else find()


def ip_of(host: testinfra.host.Host) -> str:
    """The container's IPv4 address on the compose network, as the engine gave it (what `ip addr`
    in the container says, without a command there: a command costs the machine ~45 ms of CPU),
    once per container and run, then remembered by the run (its checks ask it often)."""
    container = getattr(host.backend, "container", None)

    def ask() -> str:
        if container is None:  # a host of another backend: ask the container itself
            out = host.check_output("ip -4 -o addr show dev eth0")  # "2: eth0    inet 172.18.0.3/16 ..."
            return out.split()[3].split("/")[0]
        try:
            info = stack.engine().request("GET", f"/containers/{container}/json")
        except (EngineError, OSError) as err:
            raise EnvironmentProblem(
                f"cannot ask the engine the address of service '{host.backend.service}': {err}"
            ) from err
        networks = info.get("NetworkSettings", {}).get("Networks", {}) if isinstance(info, dict) else {}
        found = [n["IPAddress"] for n in networks.values() if n.get("IPAddress")]
        if not found:
            raise EnvironmentProblem(
                f"the engine gives no address of service '{host.backend.service}' (was it restarting?)"
            )
        return found[0]

    return per_run(host, ("ip", container or id(host)), ask)
