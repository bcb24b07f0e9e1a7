"""What one lab run knows while it lasts, and nothing past it: its token, its identity, the log
lines its checks found, and what its checks worked out once for the run.

    run = Run("lab6-dc8324116d21", Identity("172.20.0.6"))
    seen = run.once(("client", "pair"), lambda: drive_the_server())   # once per run, not per check

runs.run_one makes one per run and drops it with the run; the checks get it as `run`, and the
hosts made for the run carry it (lab_runner/hosts.py), so lab_runner.evidence keeps what it
found there. Before, these lived in module dicts keyed by token, for the whole life of `grade`
or `watch`: a run's learning outlived it, and a search for another text was never let go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lab_runner.identity import Identity

T = TypeVar("T")


def all_lines(container: str, path: str) -> tuple[str, str, str]:
    """The key under which a run keeps every line it sent to log PATH of CONTAINER, read once
    for its checks (lab_runner/evidence.py) and then for its exchange (lab_runner/serverlogs.py)."""
    return ("all lines of", container, path)


@dataclass
class Run:
    """One run of one lab, as its checks and its evidence readers see it."""

    token: str
    """The run's token (runs.new_token): the exercise has it in LAB_TOKEN."""
    identity: Identity | None = None
    """Its sandbox, as the services see it (None: a host of the project's own tests, every line)."""
    values: dict[str, int | str] = field(default_factory=dict)
    """The learner's own values of the lab's [values] (lab_runner/values.py): what the checks expect."""
    ended: bool = False
    """The exercise had ended before its checks began (all but a server lab): what the services
    wrote of it is in their logs but for their lag, so one read of a log serves every check
    that finds its lines there (lab_runner/evidence.py); a check that does not reads again."""
    shells: Any = None
    """The process's open shells in the services' containers (lab_runner/shells.py, its Session's):
    the checks' commands there go through them (None: an exec per command)."""
    seen: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    """(service, path, needle) -> the lines evidence.wait_lines found: the exchange reads them again
    for free (lab_runner/serverlogs.py)."""
    _kept: dict[object, object] = field(default_factory=dict, repr=False)
    _locks: dict[object, threading.Lock] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def once(self, key: object, find: Callable[[], T]) -> T:
        """FIND() the first time KEY is asked in this run, then what it found: for what several of
        a run's checks need (lab 6's clients' session, an address), made once. Checks run side by
        side: one finds, those asking the same KEY wait for it; a FIND may ask another key (an
        address needs the sandbox's IP), so each key has its own lock."""
        with self._lock:
            mine = self._locks.setdefault(key, threading.Lock())
        with mine:
            if key not in self._kept:
                self._kept[key] = find()
            return self._kept[key]  # type: ignore[return-value]

    def found(self, key: object) -> object | None:
        """What once() found under KEY, if it has (None: not asked, or forgotten)."""
        with self._lock:
            return self._kept.get(key)

    def forget(self, key: object) -> None:
        """Drop what once() found under KEY: it proved stale; the next once() finds it afresh."""
        with self._lock:
            self._kept.pop(key, None)
