"""python -m lab_runner grade SUBMISSIONS --out RESULTS: the command, its progress line and summary."""

from __future__ import annotations

import argparse
import sys
import time

from lab_runner import labs
from lab_runner.escaping import one_line
from lab_runner.grade.entry import MARKS, STATUSES, Entry
from lab_runner.grade.outputs import OUTPUTS, Graded, prepare, write_all
from lab_runner.grade.scheduler import Grader
from lab_runner.grade.submissions import chosen_labs, collect
from lab_runner.labs import Lab, LabError
from lab_runner.session import Session


class Progress:
    """One line on stderr: rewritten in place on a terminal, else a line at most every 10 s."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = time.monotonic()
        self.width = 0

    def show(self, text: str) -> None:
        if self.tty:
            sys.stderr.write("\r" + text.ljust(self.width))
            self.width = len(text)
        elif time.monotonic() - self.last >= 10:
            sys.stderr.write(text + "\n")
            self.last = time.monotonic()
        sys.stderr.flush()

    def clear(self) -> None:
        if self.tty and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{seconds % 60:04.1f}s" if seconds >= 60 else f"{seconds:.1f}s"


def learner_line(name: str, mine: list[Entry], width: int) -> str:
    passed = sum(e.status == "passed" for e in mine)
    marks = []
    for e in mine:
        steps = f"{e.result.steps_passed}/{e.result.steps_total}" if e.status == "failed" and e.result else ""
        marks.append(f"{e.lab.key} {MARKS[e.status]}{steps}")
    return f"{one_line(name):<{width}}  {passed:>2}/{len(mine)} labs passed   " + "  ".join(marks)


def summarize(
    learners: list[str], chosen: list[Lab], entries: list[Entry], again: list[Entry], wall: float
) -> dict:
    return {
        "learners": len(learners),
        "labs": len(chosen),
        **{status: sum(e.status == status for e in entries) for status in STATUSES},
        "per_lab": {lab.key: sum(e.status == "passed" for e in entries if e.lab is lab) for lab in chosen},
        "runs": sum(len(e.runs) for e in entries),
        "run_again": len(again),
        "passed_again": sum(e.status == "passed" for e in again),
        "seconds": round(wall, 1),
    }


def gather(args: argparse.Namespace) -> tuple[list[Lab], list[str], list[Entry], list[str]]:
    """What is to be graded, checked: the chosen labs, the learners, their entries, the warnings."""
    every = labs.discover()
    if not every:
        raise LabError(f"no labs found in {labs.LABS_DIR}")
    chosen = chosen_labs(args.labs, every)
    if args.timeout is not None and not labs.valid_timeout(args.timeout):
        raise LabError(f"--timeout takes seconds between 0 and {labs.MAX_TIMEOUT}")
    if not 1 <= args.parallel <= 16:
        raise LabError("--parallel takes how many runs go side by side: 1 to 16")
    warnings: list[str] = []

    def warn(text: str) -> None:
        warnings.append(text)
        print(f"grade: {text}", file=sys.stderr)

    if args.out.resolve() == args.submissions.resolve():
        raise LabError(
            f"--out {args.out}: the results go in a folder of their own, not in SUBMISSIONS itself"
        )
    learners, entries = collect(args.submissions, chosen, every, warn, skip=args.out.resolve())
    if args.out.exists() and not args.out.is_dir():
        raise LabError(f"--out {args.out}: not a folder")
    return chosen, learners, entries, warnings


def main(args: argparse.Namespace, session: Session) -> int:
    started = time.monotonic()
    chosen, learners, entries, warnings = gather(args)
    services = labs.services_for(chosen)
    grader = Grader(services, args.timeout, session)  # StackError (exit 2) before anything is written
    grader.pages = args.out / "pages"
    if aside := prepare(args.out):
        print(f"grade: the earlier results in {args.out} were moved to {aside}", file=sys.stderr)

    progress = Progress()
    todo = [e for e in entries if e.status == "to grade"]
    status = lambda: progress.show(  # noqa: E731
        f"grading: {len(learners)} learners, {grader.first}/{len(todo)} runs, "
        f"{grader.runs - grader.first} run again, {minutes(time.monotonic() - started)}"
    )
    session.pool.keep(args.parallel)  # spares for the runs to come, refilled as they go
    again = grader.side_by_side(todo, args.parallel, status) if todo else []
    progress.clear()
    for e in entries:
        if e.status == "to grade":
            e.status, e.reason = "error", f"not graded: {grader.aborted}"

    return finish(
        args, Graded(learners, chosen, entries, {}, warnings), again, started, grader.aborted, grader.bug
    )


def finish(
    args: argparse.Namespace,
    graded: Graded,
    again: list[Entry],
    started: float,
    aborted: str | None,
    bug: bool,
) -> int:
    """Write the results, say them, and the exit code (grade's, and grade --swarm's)."""
    learners, chosen, entries = graded.learners, graded.chosen, graded.entries
    wall = time.monotonic() - started
    summary = graded.summary = summarize(learners, chosen, entries, again, wall)
    write_all(graded, args.out)

    width = min(24, max(len(one_line(n)) for n in learners))
    for name in learners:
        print(learner_line(name, [e for e in entries if e.learner == name], width))
    counts = ", ".join(f"{summary[s]} {s if s != 'error' else 'errors'}" for s in STATUSES)
    print(f"class: {len(learners)} learners x {len(chosen)} labs: {counts}")
    print("per lab: " + "  ".join(f"{k} {n}/{len(learners)}" for k, n in summary["per_lab"].items()))
    if again:
        print(
            f"run again: {len(again)} that failed beside a run that could have made them fail; "
            f"{summary['passed_again']} of them passed then"
        )
    print(f"{summary['runs']} runs in {minutes(wall)}; results in {args.out}: {', '.join(OUTPUTS)}")
    print("  " + "  ".join(f"{mark} {status}" for status, mark in MARKS.items()))
    if aborted:
        print(f"lab_runner: error: grading stopped: {aborted}", file=sys.stderr)
        return 2
    if summary["error"]:
        print(
            f"lab_runner: error: {summary['error']} run(s) could not be graded (see the rows with status "
            f"error){'; a bug of lab_runner: LAB_RUNNER_DEBUG=1 shows more' if bug else ''}",
            file=sys.stderr,
        )
    return 3 if bug else 2 if summary["error"] else 0
