"""A lab run's result, and the three ways to show it: text for learners, JSON, JUnit XML.

The last result of each lab is kept for `list` in .lab-results.json at the repository root
(LAB_RUNNER_STATE names another file; runs of another file with --exercise are not kept).
"""

from __future__ import annotations

import json
import os
import textwrap
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lab_runner.checks import CheckResult
from lab_runner.exercise import ExerciseResult
from lab_runner.labs import Lab
from lab_runner.stack import ROOT

STATE_FILE = Path(os.environ.get("LAB_RUNNER_STATE", ROOT / ".lab-results.json"))


@dataclass
class LabResult:
    """One run of one lab."""

    lab: Lab
    token: str
    exercise: ExerciseResult
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.exercise.problem is None and bool(self.checks) and all(c.passed for c in self.checks)

    def as_dict(self) -> dict:
        return {
            "lab": self.lab.key,
            "folder": self.lab.folder.name,
            "title": self.lab.title,
            "token": self.token,
            "passed": self.passed,
            "seconds": round(self.seconds, 3),
            "exercise": {
                **asdict(self.exercise),
                "seconds": round(self.exercise.seconds, 3),
                "problem": self.exercise.problem,
            },
            "checks": [asdict(c) for c in self.checks],
            "hints": [] if self.passed else list(self.lab.hints),
        }


def text(result: LabResult, verbose_output: bool = True) -> str:
    """The learner's report: what the exercise printed, each check, and the verdict."""
    lab, ex = result.lab, result.exercise
    lines = [f"{lab.key} · {lab.title}   (run token {result.token})"]
    status = ex.problem or f"exit {ex.exit_code}"
    lines.append(f"exercise {ex.file} in workbench: {status}, {ex.seconds:.2f} s")
    if verbose_output and ex.output.strip():
        shown = ex.output.rstrip().splitlines()
        if len(shown) > 40:
            shown = [f"... ({len(shown) - 40} lines above not shown)", *shown[-40:]]
        lines += ["  | " + line for line in shown]
    lines.append("checks:")
    for check in result.checks:
        lines.append(f"  {'PASS' if check.passed else 'FAIL'}  {check.name}")
        if not check.passed:
            lines += [textwrap.indent(check.reason, "        ")]
    if result.passed:
        lines.append(f"PASS: {lab.key} ({len(result.checks)}/{len(result.checks)} checks)")
    else:
        failed = sum(not c.passed for c in result.checks)
        lines.append(f"FAIL: {lab.key} ({failed} of {len(result.checks)} checks failed)")
        lines += [f"hint: {hint}" for hint in lab.hints]
    if lab.look:
        lines.append("see it yourself: " + lab.look.replace("{token}", result.token))
    return "\n".join(lines)


def summary_line(result: LabResult) -> str:
    """One line per lab, for `run --all`."""
    verdict = "PASS" if result.passed else "FAIL"
    ok = sum(c.passed for c in result.checks)
    lab = result.lab
    return (
        f"{verdict}  {lab.key:<6} {lab.title:<48} {ok}/{len(result.checks)} checks  {result.seconds:5.1f} s"
    )


def as_json(results: list[LabResult]) -> str:
    return json.dumps(
        {"passed": all(r.passed for r in results), "labs": [r.as_dict() for r in results]}, indent=2
    )


def write_junit(results: list[LabResult], path: Path) -> None:
    """JUnit XML for CI and graders: a testsuite per lab, a testcase per check."""
    suites = ET.Element("testsuites", name="socket-lab")
    for r in results:
        failures = sum(not c.passed for c in r.checks) + (r.exercise.problem is not None)
        suite = ET.SubElement(
            suites, "testsuite", name=r.lab.folder.name, tests=str(len(r.checks) + 1),
            failures=str(failures), time=f"{r.seconds:.3f}",
        )  # fmt: skip
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="token", value=r.token)
        exercise_case = ET.SubElement(
            suite, "testcase", classname=r.lab.folder.name, name="exercise", time=f"{r.exercise.seconds:.3f}"
        )
        if r.exercise.problem:
            ET.SubElement(exercise_case, "failure", message=r.exercise.problem).text = r.exercise.output
        ET.SubElement(exercise_case, "system-out").text = r.exercise.output
        for c in r.checks:
            case = ET.SubElement(suite, "testcase", classname=r.lab.folder.name, name=c.name)
            if not c.passed:
                hints = "\n".join(f"hint: {h}" for h in r.lab.hints)
                ET.SubElement(case, "failure", message=c.reason.splitlines()[0]).text = f"{c.reason}\n{hints}"
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    try:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    except OSError as err:
        raise OSError(f"cannot write the JUnit report {path}: {err.strerror}") from err


def load_state() -> dict[str, dict]:
    """The last result of each lab, by folder name ({} when none or unreadable)."""
    try:
        data = json.loads(STATE_FILE.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_state(results: list[LabResult]) -> None:
    """Remember each lab's verdict for `list`; a read-only checkout just does not remember."""
    state = load_state()
    for r in results:
        state[r.lab.folder.name] = {
            "passed": r.passed,
            "at": time.strftime("%Y-%m-%d %H:%M"),
            "token": r.token,
        }
    tmp = STATE_FILE.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        tmp.replace(STATE_FILE)
    except OSError:
        pass
