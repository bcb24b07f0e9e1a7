"""What grading writes: grades.csv, grades.json and junit.xml (each replaced whole, atomically),
and OUT itself, with earlier results moved aside, never overwritten."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab_runner import junit
from lab_runner.escaping import escaped, one_line
from lab_runner.grade.entry import Entry
from lab_runner.labs import Lab, LabError
from lab_runner.paths import atomic_write, fresh_name

COLUMNS = [
    "learner",
    "lab",
    "title",
    "status",
    "passed",
    "steps_passed",
    "steps_total",
    "failing_step",
    "reason",
    "seconds",
    "token",
]


def cell(text: str) -> str:
    """One CSV cell: one line, and not a formula to a spreadsheet (= + - @ lead with a quote)."""
    text = escaped(" ".join(text.split()), lines=False)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_csv(entries: list[Entry], path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        row = entry.as_row()
        row |= {"learner": cell(row["learner"]), "title": cell(row["title"]), "reason": cell(row["reason"])}
        row["passed"] = "true" if row["passed"] else "false"
        row["failing_step"] = "" if row["failing_step"] is None else row["failing_step"]
        writer.writerow([row[c] for c in COLUMNS])
    atomic_write(path, out.getvalue())


def as_document(
    learners: list[str], chosen: list[Lab], entries: list[Entry], summary: dict, warnings: list[str]
) -> dict:
    results = []
    for e in entries:
        row = {**e.as_row(), "learner": one_line(e.learner), "folder": e.lab.folder.name}
        row |= {
            "file": one_line(f"{e.learner}/{e.lab.folder.name}/exercise.py") if e.file else None,
            "attempts": len(e.runs),
            "confirmed_alone": bool(e.runs) and e.runs[-1]["alone"],
            "runs": e.runs,
            "report": e.report(),
        }
        results.append(row)
    return {
        "learners": [one_line(name) for name in learners],
        "labs": [
            {"lab": lab.key, "folder": lab.folder.name, "title": lab.title, "steps": len(lab.steps)}
            for lab in chosen
        ],
        "results": results,
        "summary": summary,
        "warnings": warnings,
    }


def write_junit(learners: list[str], entries: list[Entry], path: Path) -> None:
    """A testsuite per learner, a testcase per lab: failure (failed, invalid), skipped (not
    attempted), error (the environment's)."""
    suites = []
    outcome = {"failed": "failure", "invalid": "failure", "not attempted": "skipped", "error": "error"}
    for name in learners:
        cases = []
        for e in (e for e in entries if e.learner == name):
            case = junit.Case(
                name,
                e.lab.key,
                e.result.seconds if e.result else 0.0,
                outcome.get(e.status, "passed"),
                e.reason,
            )
            if e.status in ("failed", "invalid"):
                case.kind = e.status
            if e.status == "failed":
                first = e.result.first_failing if e.result else None
                case.detail = "\n".join(
                    [e.reason] + ([f"step {first.number}: {first.step.title}"] if first else [])
                )
            elif e.status == "not attempted":
                case.message = "not attempted"
            if e.result:
                case.output = f"run {e.result.token}\n{e.result.exercise.output}"
            cases.append(case)
        suites.append(junit.Suite(name, cases, sum(c.seconds for c in cases)))
    junit.write(path, "socket-lab-grades", suites)


@dataclass
class Graded:
    """A whole grading, as its outputs see it."""

    learners: list[str]
    chosen: list[Lab]
    entries: list[Entry]
    summary: dict
    warnings: list[str]


def write_json(graded: Graded, path: Path) -> None:
    document = as_document(graded.learners, graded.chosen, graded.entries, graded.summary, graded.warnings)
    atomic_write(path, json.dumps(document, indent=2))


# The outputs of a grading, one entry each: a new output is a name and its writer here.
WRITERS: dict[str, Callable[[Graded, Path], None]] = {
    "grades.csv": lambda graded, path: write_csv(graded.entries, path),
    "grades.json": write_json,
    "junit.xml": lambda graded, path: write_junit(graded.learners, graded.entries, path),
}
OUTPUTS = (*WRITERS, "pages")  # pages/: each run's exchange page (grade.scheduler writes them)


def write_all(graded: Graded, out: Path) -> None:
    for name, write in WRITERS.items():
        write(graded, out / name)


def prepare(out: Path) -> Path | None:
    """Make OUT (and its parents); earlier results in it go to OUT/previous-<time>/ (returned)."""
    if out.exists() and not out.is_dir():
        raise LabError(f"--out {out}: not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        old = [out / name for name in OUTPUTS if (out / name).exists()]
        if not old:
            return None
        aside = fresh_name(out, "previous")
        aside.mkdir()
        for path in old:
            path.replace(aside / path.name)
        return aside
    except OSError as err:
        raise LabError(f"--out {out}: {err.strerror or err}") from err
