"""Show a lab run: text for learners (steps, evidence, one hint), JSON for tools, JUnit XML for CI.

The text shows every step and check as PASS/FAIL, the socket calls the exercise made, and for
the first failing step only: what it expects, what was observed, and the hints revealed so far.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from lab_runner import junit, ladder
from lab_runner.escaping import escaped
from lab_runner.labs import Lab
from lab_runner.verdict import LabResult

SHOWN_OUTPUT_LINES = 30


def readable(check_name: str) -> str:
    """test_the_line_arrived_whole -> "the line arrived whole"."""
    return check_name.removeprefix("test_").replace("_", " ")


def labelled(label: str, text: str, indent: int = 4) -> list[str]:
    """TEXT after "LABEL: ", its next lines aligned under its first (a goal, a reason, a hint)."""
    head = " " * indent + f"{label}: "
    first, *rest = escaped(text.strip()).splitlines() or [""]
    return [head + first] + [" " * len(head) + line for line in rest]


def text(
    result: LabResult, hints_shown: int = 1, next_lab: Lab | None = None, own: bool = False, page: str = ""
) -> str:
    """The learner's report; OWN (the learner's exercise.py) adds what to do next after a pass;
    PAGE, where the run's page is (a line of its own, before the command to see it yourself)."""
    lab, ex, decided = result.lab, result.exercise, result.decided
    lines = [f"{lab.key} · {lab.title}   (run {result.token})"]
    if result.values:  # the lab draws values per learner: say whose, and what they are
        mine = ", ".join(f"LAB_{k.upper()}={v!r}" for k, v in result.values.items())
        lines.append(escaped(f"values of learner {result.learner}: {mine}"))
    lines.append(f"ran {ex.file} in the workbench: {decided.ran}, {ex.seconds:.2f} s")
    if ex.output.strip():
        shown = ex.output.rstrip().splitlines()
        if len(shown) > SHOWN_OUTPUT_LINES:
            shown = [f"[... {len(shown) - SHOWN_OUTPUT_LINES} lines above ...]", *shown[-SHOWN_OUTPUT_LINES:]]
        lines += ["  | " + escaped(line) for line in shown]
    calls = ex.calls.shown()
    lines.append("its socket calls (strace):" if calls else "its socket calls (strace): none")
    lines += ["  " + call for call in calls]
    lines += ["  strace: " + note for note in ex.notes[:3]]
    if result.exchange.get("error"):  # a view of the run, not its verdict: say so, and go on
        lines.append(f"the exchange could not be drawn: {result.exchange['error']}")
    if drawn := ladder.lines(result.exchange):
        lines.append(f"the exchange (the whole of it, as a page: python -m lab_runner show {lab.key}):")
        lines += ["  " + escaped(line) for line in drawn]
    if again := ladder.by_hand(result.exchange):
        lines.append("reproduce it by hand: " + escaped(again))
    left = "its server, checked while it ran" if ex.serving else "left running by the exercise"
    left = "still waiting for an answer when it was checked" if ex.stalled else left
    for stopped in ex.stopped:
        lines.append(f"stopped after the checks: pid {stopped} ({left})")
    if ex.removed:
        lines.append(f"removed {ex.removed} file(s) it left in /tmp or /dev/shm")
    for step in result.steps:
        lines.append("")
        lines.append(f"step {step.number}  {'PASS' if step.passed else 'FAIL'}  {step.step.title}")
        for check in step.checks:
            lines.append(f"  {'PASS' if check.passed else 'FAIL'}  {readable(check.name)}")
        if step.number == decided.failing_step:
            lines += labelled("expected", step.step.goal)
            for check in step.checks:
                if not check.passed:
                    lines += labelled("observed", check.reason)
            shown = decided.hint_lines(hints_shown)
            for label, hint in shown:
                lines += labelled(label, hint)
            if len(shown) < len(decided.hints):
                lines.append(f"    (the next hint: python -m lab_runner hint {lab.key})")
    lines += ["", decided.status]
    if own and result.passed and next_lab is not None:
        lines.append(f"next: {next_lab.key} · {next_lab.title}   (python -m lab_runner {next_lab.key})")
    elif own and result.passed:
        lines.append("every lab passes: well done")
    if page:
        lines.append(page)
    if lab.look:
        lines.append("see it yourself: " + lab.look.replace("{token}", result.token))
    return "\n".join(lines)


def summary_line(result: LabResult) -> str:
    """One line per lab, for `run --all`."""
    lab = result.lab
    verdict = "PASS" if result.passed else "FAIL"
    steps = f"{result.steps_passed}/{result.steps_total} steps"
    return f"{verdict}  {lab.key:<6} {lab.title:<48} {steps:<10} {result.seconds:5.1f} s"


def as_dict(r: LabResult, exchange: bool = True) -> dict:
    """The run as JSON; EXCHANGE: with its exchange record (grade keeps it in the run's page instead)."""
    ex = r.exercise
    return {
        "lab": r.lab.key,
        "folder": r.lab.folder.name,
        "title": r.lab.title,
        "token": r.token,
        "learner": r.learner,
        "values": r.values,
        "passed": r.passed,
        "seconds": round(r.seconds, 3),
        "steps_passed": r.steps_passed,
        "steps_total": r.steps_total,
        "failing_step": r.failing_step,
        "status": r.decided.status,
        "failing_check": r.decided.failing_check,
        "hints": list(r.decided.hints),
        "exercise": {
            "file": ex.file,
            "exit_code": ex.exit_code,
            "problem": ex.problem,
            "seconds": round(ex.seconds, 3),
            "output": ex.output,
            "socket_calls": ex.calls.shown(limit=200),
            "stopped": ex.stopped,
            "removed_files": ex.removed,
        },
        "steps": [
            {
                "number": s.number,
                "title": s.step.title,
                "goal": s.step.goal,
                "passed": s.passed,
                "checks": [{k: v for k, v in asdict(c).items() if k != "step"} for c in s.checks],
                "hint": None if s.passed else r.decided.first_hint(s.number),
            }
            for s in r.steps
        ],
        **({"exchange": r.exchange} if exchange else {}),
    }


def as_json(results: list[LabResult]) -> str:
    return json.dumps(
        {"passed": all(r.passed for r in results), "labs": [as_dict(r) for r in results]}, indent=2
    )


def write_junit(results: list[LabResult], path: Path) -> None:
    """JUnit XML for CI and graders: a testsuite per lab, a testcase per check, plus the exercise."""
    suites = []
    for r in results:
        name, problem = r.lab.folder.name, r.exercise.problem
        cases = [
            junit.Case(
                name,
                "exercise",
                r.exercise.seconds,
                "failure" if problem else "passed",
                problem or "",
                detail=r.exercise.output,
                output=r.exercise.output,
            )
        ]
        for step in r.steps:
            for c in step.checks:
                hint = "" if c.passed else r.decided.first_hint(step.number)
                cases.append(
                    junit.Case(
                        f"{name}.step{step.number}",
                        c.name,
                        outcome="passed" if c.passed else "failure",
                        message=c.reason.splitlines()[0] if c.reason else "failed",
                        detail=f"{c.reason}\nexpected: {step.step.goal}\nhint: {hint}",
                    )
                )
        steps = f"{r.steps_passed}/{r.steps_total}"
        said = {"token": r.token, "steps_passed": steps, "status": r.decided.status}
        suites.append(junit.Suite(name, cases, r.seconds, said))
    junit.write(path, "socket-lab", suites)
