"""One learner's one lab (Entry), and what its run did that can reach the runs beside it."""

from __future__ import annotations

import enum
import signal
from dataclasses import dataclass, field
from pathlib import Path

from lab_runner import report, verdict
from lab_runner.labs import Lab
from lab_runner.trace import Trace

STATUSES = ("passed", "failed", "not attempted", "invalid", "error")
MARKS = {"passed": "✓", "failed": "✗", "not attempted": "·", "invalid": "?", "error": "!"}
MANY_CALLS, MANY_SOCKETS, MANY_TASKS = 2000, 64, 32  # more than this many is a flood
NSCD = "/var/run/nscd/socket"


class Misbehaviour(enum.Enum):
    """What a run did that a run beside it may feel, each with its message and whether it goes
    through the services the runs share. With a sandbox per run, what a run does to its files,
    processes, ports, IPC and memory stays in its sandbox; what reaches another run goes through
    the services (the chat room, Flask, rsyslog): many sockets, or a flood of bytes. Everything
    else takes CPU only: a run beside it is slower, not wrong (its checks start once it has
    ended), unless it is a server lab, checked while it runs. grade decides by member, never by
    the message's words."""

    TIME_LIMIT = ("stopped at its time limit", False)
    RUNAWAY = ("stopped early: {}", False)
    KILLED_HARD = ("killed by SIGKILL (out of memory?)", False)
    KILLED = ("killed by a signal", False)
    LEFT_RUNNING = ("left {} process(es) running", False)
    HELD_A_PORT = ("held (or tried to hold) a port until its time limit", False)
    LEFT_FILES = ("left {} file(s) in /tmp that are not its sockets", False)
    MANY_TASKS = ("started {} processes or threads", False)
    MANY_SOCKETS = ("made {} sockets", True)
    MANY_CALLS = ("made a flood of socket calls", False)
    FLOODED_OUTPUT = ("flooded its output", False)
    FLOODED_SERVICES = ("{}", True)  # ExerciseResult.flooded says what it sent

    def __init__(self, message: str, through_services: bool) -> None:
        self.message, self.through_services = message, through_services

    def said(self, *what: object) -> Misdeed:
        return Misdeed(self, self.message.format(*what))


@dataclass(frozen=True)
class Misdeed:
    """One misbehaviour of one run, and what the results say of it."""

    kind: Misbehaviour
    text: str


def misdeeds(result: verdict.LabResult) -> list[Misdeed]:
    """What the run did that can reach a run beside it (empty: nothing that could)."""
    ex, why, M = result.exercise, [], Misbehaviour
    if ex.timed_out:
        why.append(M.TIME_LIMIT.said())
    elif ex.runaway:
        why.append(M.RUNAWAY.said(ex.runaway))
    elif ex.killed_by == signal.SIGKILL:
        why.append(M.KILLED_HARD.said())
    elif ex.killed_by:
        why.append(M.KILLED.said())
    if ex.left_running:
        why.append(M.LEFT_RUNNING.said(ex.left_running))
    ports = [
        a for a in ex.calls.bound(ok=False) if isinstance(a, tuple) and a[1] not in (0, result.lab.serve)
    ]
    if ex.timed_out and ports:
        why.append(M.HELD_A_PORT.said())
    if ex.files_left:
        why.append(M.LEFT_FILES.said(ex.files_left))
    if (tasks := ex.calls.tasks_started) > MANY_TASKS:
        why.append(M.MANY_TASKS.said(tasks))
    if len(ex.calls.sockets) > MANY_SOCKETS:
        why.append(M.MANY_SOCKETS.said(len(ex.calls.sockets)))
    elif len(ex.trace) > MANY_CALLS:
        why.append(M.MANY_CALLS.said())
    if ex.output_dropped:  # not its printed text: an exercise may print anything
        why.append(M.FLOODED_OUTPUT.said())
    if ex.flooded:  # bytes it sent to the services: they are everyone's
        why.append(M.FLOODED_SERVICES.said(ex.flooded))
    return why


def reached_anyone(calls: Trace) -> bool:
    """Did any socket of the exercise reach a peer (connect, or a sendto with an address: the
    resolver's too) or call accept (a server blocked in it, killed, too)? A hang that did neither
    waited on nobody but itself (a socketpair's other end is its own; a port it holds is in its
    own sandbox). Not nscd's socket: setpriv's own lookups before the interpreter (in the trace
    when the sandbox was started cold for the run) try it."""
    reached = any(s.peer and s.peer != NSCD for s in calls.sockets)
    return reached or any(calls.named(name) for name in ("accept", "accept4"))


def misbehaved(result: verdict.LabResult) -> list[str]:
    """What the results say the run did that can reach a run beside it."""
    return [m.text for m in misdeeds(result)]


@dataclass(eq=False)
class Entry:
    """One learner's one lab: what was found, and how it was graded."""

    learner: str
    lab: Lab
    file: Path | None = None
    status: str = "not attempted"
    reason: str = "no exercise.py"
    result: verdict.LabResult | None = None
    runs: list[dict] = field(default_factory=list)
    """Every run: verdict, token, seconds, whether alone, and what it did that can reach a neighbour."""
    span: tuple[float, float] = (0.0, 0.0)
    """When its last attempt ran, in seconds since grading started."""
    misdeeds: list[Misdeed] = field(default_factory=list)
    """What its last run did that can reach a run beside it (runs[-1]["misbehaved"] in words)."""

    @property
    def noisy(self) -> set[str]:
        """What its last run did that can reach a run beside it (an error: nobody knows)."""
        return {"error"} if self.status == "error" else {m.text for m in self.misdeeds}

    @property
    def holds(self) -> set[str]:
        """What its last run did that holds something the runs beside it share (the services)."""
        if self.status == "error":
            return {"error"}
        return {m.text for m in self.misdeeds if m.kind.through_services}

    @property
    def suspect(self) -> bool:
        """It failed, and a run beside it could be why: it held nothing shared itself, and its
        failure is not one no neighbour can cause: a hang, or a server lab's run stopped after its
        checks, that never waited on anyone (no socket of it reached a peer, none called accept: a
        slow neighbour cannot have kept it waiting, and a server that never calls accept() is not
        slow to), a death by a signal (its memory is its own), a runaway stop."""
        ex = self.result.exercise if self.result else None
        own = ex is not None and (
            ((ex.timed_out or ex.stopped_after_checks) and not reached_anyone(ex.calls))
            or ex.killed_by is not None
            or bool(ex.runaway)
        )
        return self.status == "failed" and not self.holds and not own

    def disturbed_by(self, other: Entry) -> bool:
        """OTHER ran beside this run and did what can make it fail: held what the runs share, or,
        beside a server lab (checked while it runs), misbehaved at all; unless this run
        misbehaved itself, which then explains its failure better than a neighbour's CPU does
        (the article's server spins: lab 6's starter fails for that, beside anyone)."""
        beside = other is not self and other.span[0] < self.span[1] and other.span[1] > self.span[0]
        if not beside:
            return False
        return bool(other.holds or (self.lab.serve and other.noisy and not self.noisy))

    def record(self, result: verdict.LabResult, alone: bool) -> None:
        self.result, self.status = result, "passed" if result.passed else "failed"
        self.reason, self.misdeeds = result.verdict, misdeeds(result)
        self.runs.append(
            {
                "passed": result.passed,
                "verdict": result.verdict,
                "token": result.token,
                "seconds": round(result.seconds, 3),
                "at": [round(t, 3) for t in self.span],
                "alone": alone,
                "misbehaved": [m.text for m in self.misdeeds],
            }
        )

    def report(self) -> dict | None:
        """Its run as grades.json shows it (a task's entry under --swarm: as the task sent it)."""
        return report.as_dict(self.result, exchange=False) if self.result else None

    def as_row(self) -> dict:
        r = self.result
        return {
            "learner": self.learner,
            "lab": self.lab.key,
            "title": self.lab.title,
            "status": self.status,
            "passed": self.status == "passed",
            "steps_passed": r.steps_passed if r else 0,
            "steps_total": len(self.lab.steps),
            "failing_step": r.failing_step if r else None,
            "reason": self.reason,
            "seconds": round(r.seconds, 3) if r else 0.0,
            "token": r.token if r else "",
            "page": self.runs[-1].get("page") if self.runs else None,
        }
