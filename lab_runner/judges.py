"""What a check judged, said by the check itself: the page pins the check to those events, and
marks the first failing one at the event its message quotes (lab_runner/judged_events.py).

    from lab_runner.judges import judges

    @judges("close", "shutdown")                 # the exercise's close() and shutdown() calls
    def test_your_client_ended_the_connection_itself(calls): ...

    @judges("accept", lines="chat")              # its accepts, and what chat logged about them
    def test_chat_accepted_each_from_its_own_client_port(chat, calls): ...

A check that says nothing judged what its parameters show: a server's host, that server's
lines; `calls`, `exercise` or `live`, the exercise's sends, connects and errors; `workbench`
alone, for a server lab, what its server accepted and read. Nothing is read from its name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

# The kinds of the exercise's events a check may say it judged (the exchange's kinds).
KINDS = frozenset(
    {"socket", "bind", "listen", "accept", "connect", "send", "recv", "shutdown", "close", "wait",
     "getsockopt", "setsockopt", "error", "fork", "fault"}
)  # fmt: skip
DEFAULT_KINDS = frozenset({"send", "connect", "error"})

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Judged:
    kinds: frozenset[str]
    """The exercise's events of these kinds (when it takes `calls`, `exercise` or `live`)."""
    lines: frozenset[str]
    """The lines of these services (named by their hosts among its parameters)."""


def judges(*kinds: str, lines: str | tuple[str, ...] = ()) -> Callable[[F], F]:
    """Say what the check judged: KINDS of the exercise's calls, and the LINES of services."""
    if unknown := set(kinds) - KINDS:
        raise ValueError(f"@judges: {sorted(unknown)} are not kinds of event; known: {sorted(KINDS)}")
    said = Judged(frozenset(kinds), frozenset((lines,) if isinstance(lines, str) else lines))

    def mark(check: F) -> F:
        check.judged = said  # type: ignore[attr-defined]
        return check

    return mark


def judged_by(check: Callable) -> Judged | None:
    """What CHECK said it judged, or None when it said nothing."""
    said = getattr(check, "judged", None)
    return said if isinstance(said, Judged) else None
