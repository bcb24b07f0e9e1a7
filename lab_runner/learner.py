"""The learner's loop, below every command: run labs on their files, remember a run of the
learner's own exercise.py, show it with the learner's hints, and say which lab is next.

`run`, `hint` and `watch` all go through here, so a run is checked, kept and shown one way.
"""

from __future__ import annotations

import concurrent.futures
import sys
from pathlib import Path

from lab_runner import labs, latest, report, runs, stack, state, verdict
from lab_runner.paths import ROOT, atomic_write
from lab_runner.session import Session

LABS_AT_ONCE = 4  # labs checked side by side in `run`, each in a sandbox of its own


def passed(entry: dict) -> bool:
    """The lab passed once: it stays passed (list, next, solution agree), whatever runs came after."""
    return bool(entry.get("ever_passed") or entry.get("passed"))


def steps_of(entry: dict) -> str:
    """The last run's steps, e.g. "1 ok, 2 ok, 3 FAIL" (older state files: nothing)."""
    marks = entry.get("steps")
    if not isinstance(marks, list) or not marks:
        return ""
    return ", ".join(f"{n} {'ok' if ok else 'FAIL'}" for n, ok in enumerate(marks, 1))


def next_lab(after: labs.Lab | None = None) -> labs.Lab | None:
    """The first lab not passed yet, looking after AFTER first; None when every lab passes."""
    found = labs.discover()
    progress = state.load()
    todo = [lab for lab in found if not passed(progress.get(lab.folder.name, {}))]
    if after is not None:
        later = [lab for lab in todo if lab.number > after.number]
        todo = later or [lab for lab in todo if lab.number != after.number]
    return todo[0] if todo else None


def exercise_file(lab: labs.Lab, solution: bool = False, exercise: Path | None = None) -> Path:
    """The file a run of LAB checks: EXERCISE if given, else the reference or the learner's own."""
    if exercise is not None:
        return exercise
    return lab.solution_path if solution else own_file(lab)


def own_file(lab: labs.Lab) -> Path:
    """The learner's exercise.py, made from the starter the first time it is asked for. Git holds
    the starter only (.starter.py) and ignores exercise.py (the rustlings way): a `git pull` that
    changes a starter never conflicts with a learner's work, and no lab ships two copies."""
    path = lab.exercise_path
    if not path.exists() and lab.starter_path.is_file():
        atomic_write(path, lab.starter_path.read_bytes())  # never over a file: it does not exist
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{lab.key}: made {shown} from the starter; it is yours to edit", file=sys.stderr)
    return path


def check(
    chosen: list[labs.Lab],
    files: list[Path],
    session: Session,
    timeout: float | None = None,
    learner: str | None = None,
) -> list[verdict.LabResult]:
    """Run each lab on its file, side by side, results in the labs' order. LEARNER: whose values
    the runs draw (default: the name set with `python -m lab_runner learner NAME`). A lab this
    machine cannot run (stack.Skipped) is left out, in one line on stderr; if none is left, Skipped."""
    containers = stack.require_healthy(labs.services_for(chosen))
    who = learner or state.learner_name()

    def one(i: int) -> verdict.LabResult:
        try:
            return runs.run_one(chosen[i], files[i], containers, timeout, session, who)
        except stack.Skipped as err:
            raise stack.Skipped(f"{chosen[i].key} skipped: {err}") from err

    if len(chosen) == 1:
        return [one(0)]
    # A server lab takes longest (its checks drive it as clients, one after another): start it first.
    order = sorted(range(len(chosen)), key=lambda i: not chosen[i].serve)
    with concurrent.futures.ThreadPoolExecutor(LABS_AT_ONCE) as pool:
        futures = {i: pool.submit(one, i) for i in order}
        skipped = [err for i in order if isinstance(err := futures[i].exception(), stack.Skipped)]
        for err in skipped:
            print(f"lab_runner: {err}", file=sys.stderr)
        if len(skipped) == len(chosen):
            raise skipped[-1]
        return [futures[i].result() for i in range(len(chosen)) if futures[i].exception() not in skipped]


def remember(result: verdict.LabResult) -> None:
    state.record(
        result.lab.folder.name,
        passed=result.passed,
        steps_passed=result.steps_passed,
        steps_total=result.steps_total,
        failing_step=result.failing_step,
        token=result.token,
        exercise=result.lab.exercise_path,
        steps=[s.passed for s in result.steps],
        hint_texts=list(result.decided.hints),
        status=result.decided.status,
        failing_check=result.decided.failing_check,
    )


def show(result: verdict.LabResult, own: bool, page: str = "") -> str:
    """The text report; for the learner's own file, with their hints and what is next."""
    first = result.decided.failing_step
    shown = state.hints_shown(result.lab.folder.name, first) if own and first else 1
    return report.text(result, shown, next_lab(result.lab) if own else None, own, page)


def keep_page(result: verdict.LabResult, own: bool, follow: bool = False) -> Path | None:
    """The run's page as its lab's latest (.lab-runs/<lab>.html), with the learner's hints."""
    first = result.decided.failing_step
    shown = state.hints_shown(result.lab.folder.name, first) if own and first else 1
    return latest.keep(result, shown, follow)


def page_line(path: Path | None, lab: labs.Lab) -> str:
    if path is None:
        return "the exchange as a page: not kept (cannot write .lab-runs/ here; --html FILE writes one)"
    return f"the exchange as a page: {latest.shown_path(path)}   (python -m lab_runner show {lab.key})"
