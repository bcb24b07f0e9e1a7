"""One run of one lab and its verdict: run the exercise, run the checks, and decide whose failure it is.

The verdict is the learner's only when the stack was healthy: a check that could not reach a
container, or a failure while a service was down, is the environment's (StackError, exit 2),
never a failed step.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from lab_runner import checks, decision, exchange, hints, labs, lanes, serverlogs, stack
from lab_runner.checks import CheckResult
from lab_runner.context import Run
from lab_runner.decision import Decision
from lab_runner.exercise_result import ExerciseResult
from lab_runner.identity import Identity
from lab_runner.labs import Lab, LabError, Step
from lab_runner.running import Running
from lab_runner.session import Session


@dataclass
class StepResult:
    number: int
    step: Step
    checks: list[CheckResult]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)


@dataclass
class LabResult:
    """One run of one lab, and what it means (decided once, on construction: see decision.py)."""

    lab: Lab
    token: str
    exercise: ExerciseResult
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    exchange: dict = field(default_factory=dict)
    """The run's exchange record (lab_runner/exchange.py): the JSON's, the page's and the ladder's."""
    decided: Decision = field(init=False)
    """The status, the failing step and check, the hints and the pins: what every view renders."""

    def __post_init__(self) -> None:
        self.decided = decision.decide(self.lab, self.token, self.exercise, self.checks, self.exchange)

    @property
    def steps(self) -> list[StepResult]:
        return [
            StepResult(n, step, [c for c in self.checks if c.step == n])
            for n, step in enumerate(self.lab.steps, 1)
        ]

    @property
    def steps_passed(self) -> int:
        return sum(s.passed for s in self.steps)

    @property
    def steps_total(self) -> int:
        return len(self.lab.steps)

    @property
    def failing_step(self) -> int | None:
        return self.decided.failing_step

    @property
    def first_failing(self) -> StepResult | None:
        n = self.decided.failing_step
        return self.steps[n - 1] if n else None

    @property
    def passed(self) -> bool:
        return self.decided.passed

    @property
    def verdict(self) -> str:
        """One line: PASS or FAIL, and why."""
        return self.decided.status


def judge(
    lab: Lab,
    token: str,
    ran: ExerciseResult,
    results: list[CheckResult],
    healthy: Callable[[], object],
    seconds: float = 0.0,
    record: dict | None = None,
) -> LabResult:
    """The LabResult, decided (its status, failing step and check, hints and pins: decision.py),
    or StackError when a failure is the stack's: HEALTHY() raises it if the stack is unwell now,
    and a check that could not reach a container is the stack's too."""
    results = named_crash(results, ran.output)
    result = LabResult(lab, token, ran, results, seconds, record or {})
    if result.passed:
        return result
    healthy()  # a service that went down mid-run: exit 2, not a failed step
    for check in results:
        if check.environment:
            raise stack.StackError(f"{lab.key}, {check.name}: {check.reason}")
    return result


def named_crash(results: list[CheckResult], output: str) -> list[CheckResult]:
    """RESULTS with the first failing check saying how the program ended, when a traceback did:
    the learner reads that check's message first, and the crash is usually why it failed."""
    ended = hints.crash(output)
    first = next((n for n, r in enumerate(results) if not r.passed and not r.environment), None)
    if ended is None or first is None:
        return results
    said = f"your program crashed: {ended}; {results[first].reason}"
    named = dataclasses.replace(results[first], reason=said)
    return [*results[:first], named, *results[first + 1 :]]


def server_lines(
    lab: Lab, token: str, ran: ExerciseResult, containers: dict[str, str], context: Run
) -> tuple[dict, dict]:
    """The services' addresses, and this run's lines of their logs (those CONTEXT's identity, the
    run's sandbox, sent: with the token, or on the ports RAN's packets tell, while it ran)."""
    assert context.identity is not None  # verdict.run_one reads it from the engine first
    ips = serverlogs.ips({s: containers[s] for s in lab.services})
    _, ports = lanes.seen_from(ran, ips)
    until = ran.started_at + ran.seconds + 1 if ran.started_at else 0.0
    lines = serverlogs.read(
        containers, set(lab.services), token, context.identity, ports, ran.started_at, until, context.seen
    )
    return ips, lines


def identity_of(sandbox: str) -> Identity:
    """The run's identity to the services: its sandbox's address, from the engine."""
    ip = serverlogs.ips({"sandbox": sandbox}).get("sandbox")
    if not ip:
        raise stack.StackError(
            f"cannot read the address of the run's sandbox {sandbox}: run '{stack.UP_COMMAND}'"
        )
    return Identity(ip)


def exchange_of(lab: Lab, token: str, ran: ExerciseResult, read: Future) -> dict:
    """The run's exchange, built once: its calls and packets, and the lines its servers wrote
    about it (READ: server_lines, started once the checks were done, beside the cleanup)."""
    try:
        ips, lines = read.result()
        found = exchange.Exchange(ran, token, ips)
        found.add_logs(lines)
        return found.record()
    except Exception as err:  # a view of the run, never its verdict: say what went wrong, go on
        return {"error": f"{type(err).__name__}: {err}", "lanes": [], "events": []}


def new_token(name: str) -> str:
    """A run's token, e.g. lab3-dc8324116d21: in what it sends, so its checks find its lines alone."""
    return f"{name}-{uuid.uuid4().hex[:12]}"


def run_one(
    lab: Lab,
    exercise_file: Path,
    containers: dict[str, str],
    timeout: float | None = None,
    session: Session | None = None,
) -> LabResult:
    """Exercise, then checks (while a server lab's exercise still runs), then the verdict.
    SESSION: the process's pool and readers (cli.main's); without one, a session for this run."""
    if session is None:
        own = Session()
        try:
            return run_one(lab, exercise_file, containers, timeout, own)
        finally:
            own.close()
    started = time.monotonic()
    token = new_token(lab.key)
    needed = labs.services_for([lab])
    box, limit = containers["workbench"], timeout or lab.timeout
    with Running(box, exercise_file, lab.folder, token, limit, lab.serve, lab.stall, session.pool) as running:
        running.wait()
        if untraced := running.result().untraced:  # the sandbox cannot trace: not the learner's doing
            raise stack.StackError(
                f"the sandbox could not trace the exercise ({untraced}): run '{stack.UP_COMMAND}'"
            )
        # The checks look at the sandbox as "the workbench": it is where the exercise ran; the
        # services' lines are the run's when they came from its address (or its uid). The
        # stack's own workbench, where no exercise runs, is "machine": for facts of the machine.
        where = {**containers, "workbench": running.sandbox, "machine": containers["workbench"]}
        context = Run(token, identity_of(running.sandbox))  # what the run learns: dropped with it
        try:
            results = checks.run(lab, token, running.result(), where, running.result, context=context)
        except checks.ChecksError as err:
            raise LabError(f"{lab.key}: {err}") from err
        # The exchange's lines are read beside the cleanup.
        read = session.reader.submit(server_lines, lab, token, running.result(), containers, context)
    ran = running.result()
    session.pool.after_run(containers["workbench"])
    record = exchange_of(lab, token, ran, read)
    return judge(
        lab, token, ran, results, lambda: stack.require_healthy(needed), time.monotonic() - started, record
    )
