"""Which events of the exchange each check judged, and where the first failing one went wrong.

A check says what it judged with @judges (lab_runner/judges.py): kinds of the exercise's
calls, and services' lines. One that says nothing judged what its parameters show (a server's
host: that server's lines; `calls`, `exercise` or `live`: the exercise's sends, connects and
errors; `workbench` alone, for a server lab: what its server accepted and read). Nothing is
read from a check's name. The first failing check is marked at the event its reason quotes,
else at the last event it looked at; with none, the evidence is missing altogether.

    >>> pins(lab, token, checks, record, "test_flask_...")  # doctest: +SKIP
    {"test_flask_logged_them_as_a_bad_request": ([12, 13], 13), ...}

decision.py calls it once per run; the views show what it found.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field

from lab_runner import checks, lessons
from lab_runner.checks import CheckResult
from lab_runner.judges import DEFAULT_KINDS, Judged, judged_by
from lab_runner.labs import Lab
from lab_runner.record_schema import Event, Record
from lab_runner.services import SERVICES

SERVERS = set(SERVICES)
OWN = {"calls", "exercise", "live"}


@dataclass(frozen=True)
class _Checks:
    """A lab as far as its checks go: its folder and their names. A learner's values change the
    lab's texts, never its checks, so the checks load once per lab, not once per learner."""

    folder: str
    names: tuple[tuple[str, ...], ...]
    lab: Lab = field(compare=False, hash=False)


@functools.cache
def _declared(of: _Checks) -> dict[str, tuple[set[str], Judged]]:
    """Each check's parameter names, and what it judged (said, or what its parameters show);
    the checks load once per process and lab."""
    try:
        loaded = checks.load(of.lab)
    except checks.ChecksError:
        return {}
    found = {}
    for name, f in loaded.items():
        given = set(inspect.signature(f).parameters)
        said = judged_by(f)
        if said is None:
            lines = given & SERVERS if not given & OWN else set()
            said = Judged(DEFAULT_KINDS if given & OWN else frozenset(), frozenset(lines))
        found[name] = (given, said)
    return found


def pins(
    lab: Lab,
    token: str,
    results: list[CheckResult],
    record: Record,
    failing: str | None,
    own: dict[int, set[str]] | None = None,
) -> dict[str, tuple[list[int], int | None]]:
    """check name -> (the ids of the events it judged, the id marked for FAILING, the first
    failing check). OWN: each step's own sockets (lessons.step_lanes): a check of a step that
    has some judged those, and the servers' lines about them, not another step's."""
    events = record.get("events", [])
    kind_of = {lane["id"]: lane["kind"] for lane in record.get("lanes", [])}
    declared = _declared(_Checks(str(lab.folder), tuple(step.checks for step in lab.steps), lab))
    out: dict[str, tuple[list[int], int | None]] = {}
    for check in results:
        given, said = declared.get(check.name, (set(), Judged(frozenset(), frozenset())))
        judged: list[Event] = []
        if servers := said.lines & given:
            judged += [e for e in events if e["kind"] == "log" and e["lane"] in servers]
        if given & OWN:
            kinds = said.kinds
            mine = [e for e in events if kind_of.get(e["lane"]) == "socket" and e["kind"] in kinds]
            moved = [e for e in mine if e["kind"] in ("send", "recv")]
            tokened = [e for e in moved if token in e["bytes"]]
            judged += [e for e in mine if e not in moved or e in tokened] if tokened else mine
        elif "workbench" in given:  # a server lab's checks, as clients of the learner's server
            judged += [
                e for e in events if e["kind"] in ("accept", "recv") and kind_of.get(e.get("from")) == "peer"
            ]
        # Its own step's events: lab 1's step-1 shutdown() is no step-2 check's.
        lanes = (own or {}).get(check.step)
        taken = {lane for n, ls in (own or {}).items() if n != check.step for lane in ls}
        if lanes:
            judged = [e for e in judged if _of_step(e, lanes, kind_of)]
        elif taken and lessons.starts_own(lab.steps[check.step - 1]):
            # A step about sockets of its own, none of which this run made: not another step's.
            judged = [e for e in judged if not _of_step(e, taken, kind_of, strict=True)]
        ids = sorted({e["id"] for e in judged})
        marked = None
        if check.name == failing and ids:
            quoted = sorted((e for e in judged if _quoted(e, check.reason)), key=lambda e: e["id"])
            heard = [e for e in quoted if e["kind"] == "log"]  # what the server heard tells most
            marked = (heard or quoted)[-1]["id"] if quoted else ids[-1]
        out[check.name] = (ids, marked)
    return out


def _of_step(event: Event, lanes: set[str], kind_of: dict[str, str], strict: bool = False) -> bool:
    """EVENT is on one of a step's LANES, or a server's line about one of them (or, unless
    STRICT, about no socket at all)."""
    if kind_of.get(event["lane"]) == "socket":
        return event["lane"] in lanes
    about = event.get("of") or event.get("to") or event.get("from")
    if about is None or kind_of.get(about) != "socket":
        return not strict
    return about in lanes


def _quoted(event: Event, reason: str) -> bool:
    """The reason quotes this event: its bytes, or its line."""
    said = event.get("bytes") or (event.get("diff") or {}).get("heard") or event.get("text") or ""
    if event["kind"] in ("shutdown", "close", "accept", "listen", "bind") and f"{event['kind']}()" in reason:
        return True  # "... then shutdown()": the call the reason names
    if event.get("call", "")[:50] in reason and "call" in event:
        return True  # the call itself, as strace wrote it
    return len(said) >= 6 and (said[:60] in reason)
