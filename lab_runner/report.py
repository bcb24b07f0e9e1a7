"""Show a lab run: text for learners (steps, evidence, one hint), JSON for tools, JUnit XML for CI.

The text shows every step and check as PASS/FAIL, the socket calls the exercise made, and for
the first failing step only: what it expects, what was observed, and the hints revealed so far.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path

from lab_runner import ladder
from lab_runner.grading import LabResult
from lab_runner.labs import Lab

SHOWN_OUTPUT_LINES = 30
# XML 1.0 cannot carry these at all, escaped or not; they become \xNN text.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def shown_text(text: str) -> str:
    """TEXT with control characters (a colour code, a clear-screen) written as \\xNN: an
    exercise's output must not take over the reader's terminal."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)


def readable(check_name: str) -> str:
    """test_the_line_arrived_whole -> "the line arrived whole"."""
    return check_name.removeprefix("test_").replace("_", " ")


def labelled(label: str, text: str, indent: int = 4) -> list[str]:
    """TEXT after "LABEL: ", its next lines aligned under its first (a goal, a reason, a hint)."""
    head = " " * indent + f"{label}: "
    first, *rest = shown_text(text.strip()).splitlines() or [""]
    return [head + first] + [" " * len(head) + line for line in rest]


def text(
    result: LabResult, hints_shown: int = 1, next_lab: Lab | None = None, own: bool = False, page: str = ""
) -> str:
    """The learner's report; OWN (the learner's exercise.py) adds what to do next after a pass;
    PAGE, where the run's page is (a line of its own, before the command to see it yourself)."""
    lab, ex = result.lab, result.exercise
    lines = [f"{lab.key} · {lab.title}   (run {result.token})"]
    status = ex.problem or ("listening, checked while it ran" if ex.serving else f"exit {ex.exit_code}")
    lines.append(f"ran {ex.file} in the workbench: {status}, {ex.seconds:.2f} s")
    if ex.output.strip():
        shown = ex.output.rstrip().splitlines()
        if len(shown) > SHOWN_OUTPUT_LINES:
            shown = [f"[... {len(shown) - SHOWN_OUTPUT_LINES} lines above ...]", *shown[-SHOWN_OUTPUT_LINES:]]
        lines += ["  | " + shown_text(line) for line in shown]
    calls = ex.calls.shown()
    lines.append("its socket calls (strace):" if calls else "its socket calls (strace): none")
    lines += ["  " + call for call in calls]
    lines += ["  strace: " + note for note in ex.notes[:3]]
    if result.exchange.get("error"):  # a view of the run, not its verdict: say so, and go on
        lines.append(f"the exchange could not be drawn: {result.exchange['error']}")
    if drawn := ladder.lines(result.exchange):
        lines.append(f"the exchange (the whole of it, as a page: python -m lab_runner show {lab.key}):")
        lines += ["  " + shown_text(line) for line in drawn]
    if again := ladder.by_hand(result.exchange):
        lines.append("reproduce it by hand: " + shown_text(again))
    left = "its server, checked while it ran" if ex.serving else "left running by the exercise"
    for stopped in ex.stopped:
        lines.append(f"stopped after the checks: pid {stopped} ({left})")
    if ex.removed:
        lines.append(f"removed {ex.removed} file(s) it left in /tmp or /dev/shm")
    first = result.first_failing
    for step in result.steps:
        lines.append("")
        lines.append(f"step {step.number}  {'PASS' if step.passed else 'FAIL'}  {step.step.title}")
        for check in step.checks:
            lines.append(f"  {'PASS' if check.passed else 'FAIL'}  {readable(check.name)}")
        if first is not None and step.number == first.number:
            lines += labelled("expected", step.step.goal)
            for check in step.checks:
                if not check.passed:
                    lines += labelled("observed", check.reason)
            hints = step.step.hints
            shown = max(1, min(hints_shown, len(hints)))
            for n in range(shown):
                lines += labelled(f"hint {n + 1}/{len(hints)}", hints[n])
            if shown < len(hints):
                lines.append(f"    (the next hint: python -m lab_runner hint {lab.key})")
    lines += ["", result.verdict]
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
    steps = f"{result.steps_passed}/{len(lab.steps)} steps"
    return f"{verdict}  {lab.key:<6} {lab.title:<48} {steps:<10} {result.seconds:5.1f} s"


def as_dict(r: LabResult, exchange: bool = True) -> dict:
    """The run as JSON; EXCHANGE: with its exchange record (grade keeps it in the run's page instead)."""
    ex = r.exercise
    return {
        "lab": r.lab.key,
        "folder": r.lab.folder.name,
        "title": r.lab.title,
        "token": r.token,
        "passed": r.passed,
        "seconds": round(r.seconds, 3),
        "steps_passed": r.steps_passed,
        "steps_total": len(r.lab.steps),
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
                "hint": None if s.passed else s.step.hints[0],
            }
            for s in r.steps
        ],
        **({"exchange": r.exchange} if exchange else {}),
    }


def as_json(results: list[LabResult]) -> str:
    return json.dumps(
        {"passed": all(r.passed for r in results), "labs": [as_dict(r) for r in results]}, indent=2
    )


def xml_text(text: str) -> str:
    """TEXT with what XML cannot hold (control characters like ESC) written as \\xNN."""
    return NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def write_junit(results: list[LabResult], path: Path) -> None:
    """JUnit XML for CI and graders: a testsuite per lab, a testcase per check, plus the exercise."""
    suites = ET.Element("testsuites", name="socket-lab")
    for r in results:
        name = r.lab.folder.name
        failures = sum(not c.passed for c in r.checks) + (r.exercise.problem is not None)
        suite = ET.SubElement(
            suites, "testsuite", name=name, tests=str(len(r.checks) + 1), failures=str(failures),
            time=f"{r.seconds:.3f}",
        )  # fmt: skip
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="token", value=r.token)
        ET.SubElement(props, "property", name="steps_passed", value=f"{r.steps_passed}/{len(r.lab.steps)}")
        case = ET.SubElement(
            suite, "testcase", classname=name, name="exercise", time=f"{r.exercise.seconds:.3f}"
        )
        output = xml_text(r.exercise.output)
        if r.exercise.problem:
            ET.SubElement(case, "failure", message=r.exercise.problem).text = output
        ET.SubElement(case, "system-out").text = output
        for step in r.steps:
            for c in step.checks:
                case = ET.SubElement(suite, "testcase", classname=f"{name}.step{step.number}", name=c.name)
                if not c.passed:
                    reason = xml_text(c.reason)
                    hint = xml_text(step.step.hints[0])
                    failure = ET.SubElement(
                        case, "failure", message=reason.splitlines()[0] if reason else "failed"
                    )
                    failure.text = f"{reason}\nexpected: {xml_text(step.step.goal)}\nhint: {hint}"
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    try:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    except OSError as err:
        raise OSError(f"cannot write the JUnit report {path}: {err.strerror}") from err
