"""A run's verdict: its steps, whose failure it is, and the LabResult every view reads
(lab_runner/runs.py makes the run).

The verdict is the learner's only when the stack was healthy: a check that could not reach a
container, or a failure while a service was down, is the environment's (StackError, exit 2),
never a failed step.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from lab_runner import decision, hints, stack
from lab_runner.checks import CheckResult
from lab_runner.decision import Decision
from lab_runner.exercise_result import ExerciseResult
from lab_runner.labs import Lab, Step


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
    learner: str = ""
    """Whose values the run drew (lab_runner/values.py): the learner's folder in `grade`."""
    values: dict = field(default_factory=dict)
    """Those values, by key ({} for a lab without [values])."""
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
    learner: str = "",
    mine: dict | None = None,
) -> LabResult:
    """The LabResult, decided (its status, failing step and check, hints and pins: decision.py),
    or StackError when a failure is the stack's: HEALTHY() raises it if the stack is unwell now
    or a service restarted during the run, and a check that could not reach a container is the
    stack's too."""
    results = named_crash(results, ran.output)
    result = LabResult(lab, token, ran, results, seconds, record or {}, learner, mine or {})
    if result.passed:
        return result
    healthy()  # a service that went down mid-run: exit 2, not a failed step
    for check in results:
        if check.environment:
            raise stack.StackError(  # the stack changed under the run: it was down, or it restarted
                f"{lab.key}, {check.name}: {check.reason}; run it again, "
                f"or run '{stack.UP_COMMAND}' if this repeats"
            )
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
