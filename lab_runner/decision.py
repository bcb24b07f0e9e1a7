"""What a run's views say, decided once: the status line, the failing step and check, the hints
to show, and each check's events in the exchange.

The text report, the JSON, JUnit, the page and the state file render a Decision and compute
nothing of their own, so they cannot disagree (they did: the page showed a step's own hints,
"hint 1/3", where the terminal showed the evidence's, "hint 1/5").

    d = decide(lab, token, ran, checks, record)
    d.status          # "FAIL: lab1 (1 of 2 steps passed; step 2 is next)"
    d.hint_lines(2)   # [("hint 1/5", "..."), ("hint 2/5", "...")]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lab_runner import hints, judged_events, lessons
from lab_runner.checks import CheckResult
from lab_runner.exercise_result import ExerciseResult
from lab_runner.labs import Lab


@dataclass(frozen=True)
class Decision:
    passed: bool
    """Every step passed and the exercise itself did not fail."""
    status: str
    """The verdict, one line: "PASS: lab3 (all 2 steps)" or "FAIL: ... (why)"."""
    ran: str
    """How the exercise ended: "exit 0", "listening, checked while it ran", its problem ..."""
    failing_step: int | None
    """The first step that did not pass (what the learner works on next)."""
    failing_check: str | None
    """That step's first failing check: the one the report explains and the page marks."""
    hints: tuple[str, ...] = ()
    """The failing step's hints, in the order they are shown (they follow the evidence)."""
    step_hints: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Every failing step's hints (the JSON and JUnit give each failing step its first)."""
    pins: dict[str, tuple[list[int], int | None]] = field(default_factory=dict)
    """check -> (the ids of the exchange's events it judged, the id marked where it went wrong)."""
    lessons: dict[int, list[int | None]] = field(default_factory=dict)
    """step -> the ids of its lesson's events (lab.toml's `lesson`), None where this run has none."""

    def hint_lines(self, asked: int = 1) -> list[tuple[str, str]]:
        """The hints shown when the learner asked for ASKED: at least one, at most all, labelled."""
        shown = max(1, min(asked, len(self.hints))) if self.hints else 0
        return [(f"hint {n + 1}/{len(self.hints)}", self.hints[n]) for n in range(shown)]

    def first_hint(self, step: int) -> str:
        """STEP's first hint when it failed, else ""."""
        return next(iter(self.step_hints.get(step, ())), "")


def ran_line(lab: Lab, ex: ExerciseResult) -> str:
    if ex.problem:
        return ex.problem
    if ex.stalled:  # checked early: nothing more was coming (the lab's `stall`)
        return f"no socket call for {lab.stall:g} s after its last {ex.stalled}(), checked then and stopped"
    return "listening, checked while it ran" if ex.serving else f"exit {ex.exit_code}"


def decide(lab: Lab, token: str, ex: ExerciseResult, results: list[CheckResult], record: dict) -> Decision:
    """The one reading of a run: LAB's checks came out as RESULTS, the exercise did EX, the
    exchange is RECORD."""
    by_step = [[c for c in results if c.step == n] for n in range(1, len(lab.steps) + 1)]
    passed_steps = [bool(cs) and all(c.passed for c in cs) for cs in by_step]
    failing = next((n for n, ok in enumerate(passed_steps, 1) if not ok), None)
    passed = ex.problem is None and failing is None and bool(results)
    step_hints = {
        n: tuple(hints.for_step(lab, lab.steps[n - 1], by_step[n - 1], ex.calls, ex.output))
        for n, ok in enumerate(passed_steps, 1)
        if not ok
    }
    check = next((c for c in by_step[failing - 1] if not c.passed), None) if failing else None
    found = lessons.match(lab, record)
    total = len(lab.steps)
    if passed:
        status = f"PASS: {lab.key} (all {total} steps)"
    else:
        why = [f"{sum(passed_steps)} of {total} steps passed"]
        if ex.problem:
            why.insert(0, ex.problem)
        if failing:
            why.append(f"step {failing} is next")
        status = f"FAIL: {lab.key} ({'; '.join(why)})"
    return Decision(
        passed=passed,
        status=status,
        ran=ran_line(lab, ex),
        failing_step=failing,
        failing_check=check.name if check else None,
        hints=step_hints.get(failing or 0, ()),
        step_hints=step_hints,
        lessons=found,
        pins=judged_events.pins(
            lab, token, results, record, check.name if check else None, lessons.step_lanes(record, found)
        ),
    )
