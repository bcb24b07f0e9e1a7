"""python -m lab_runner: list the labs, run one or all of them, and say clearly how it went.

    python -m lab_runner list
    python -m lab_runner lab3                  # same as: run lab3
    python -m lab_runner run --all --junit results.xml
    python -m lab_runner lab3 --exercise submissions/alice.py

Exit codes: 0 every check passed; 1 a check failed (or the exercise crashed or hung);
2 the environment or the input is wrong (the message says what to run or type);
3 a bug in lab_runner itself; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

from lab_runner import checks, exercise, labs, report, stack

COMMANDS = {"list", "run"}


class UsageError(Exception):
    """Bad input on the command line (exit 2)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + error
        raise UsageError(f"{message} (see: python -m lab_runner --help)")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = Parser(
        prog="python -m lab_runner",
        description="Run Socket Lab's exercises against the real stack and check what they did.",
        epilog="A lab can be named lab3, 3, 03_dev_log or dev_log. Start the stack first: "
        f"{stack.UP_COMMAND}",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("list", help="the labs, with their last result")
    run = sub.add_parser("run", help="run labs: their exercise in the workbench, then their checks")
    run.add_argument("labs", nargs="*", metavar="LAB", help="which labs (e.g. lab3)")
    run.add_argument("--all", action="store_true", help="every lab, in order")
    run.add_argument("--json", action="store_true", help="print a JSON results document instead of text")
    run.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML to FILE")
    run.add_argument("--exercise", type=Path, metavar="FILE", help="run FILE instead of the lab's exercise")
    run.add_argument("--timeout", type=float, metavar="SECONDS", help="override the lab's time limit")
    if not argv:
        raise UsageError("say what to do: list, run LAB, run --all, or just a lab (e.g. lab3)")
    # `python -m lab_runner lab3` is short for `run lab3`.
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv = ["run", *argv]
    return parser.parse_args(argv)


def cmd_list() -> int:
    found = labs.discover()
    if not found:
        raise labs.LabError(f"no labs found in {labs.LABS_DIR}")
    state = report.load_state()
    for lab in found:
        last = state.get(lab.folder.name)
        verdict = f"{'passed' if last['passed'] else 'failed'} {last['at']}" if last else "not run yet"
        print(f"{lab.key:<6} {lab.folder.name:<24} {lab.title:<48} {verdict}")
    return 0


def run_one(
    lab: labs.Lab, exercise_file: Path, containers: dict[str, str], timeout: float | None = None
) -> report.LabResult:
    """Exercise then checks for one lab; StackError if the stack fails underneath."""
    started = time.monotonic()
    token = f"{lab.key}-{uuid.uuid4().hex[:12]}"
    needed = sorted({*lab.services, "workbench"})
    ran = exercise.run(exercise_file, lab.folder, token, timeout or lab.timeout)
    if ran.problem:
        stack.require_healthy(needed)  # a workbench that went away is not the learner's fault
    try:
        results = checks.run(lab.checks_dir, token, ran.output, containers)
    except checks.ChecksError as err:
        raise labs.LabError(f"{lab.key}: {err}") from err
    if any(not c.passed for c in results):
        stack.require_healthy(needed)  # a service that restarted mid-check: exit 2, not a failed check
        for c in results:
            if c.environment:
                raise stack.StackError(f"{lab.key}, {c.name}: {c.reason}")
    return report.LabResult(
        lab=lab, token=token, exercise=ran, checks=results, seconds=time.monotonic() - started
    )


def cmd_run(args: argparse.Namespace) -> int:
    available = labs.discover()
    if args.all == bool(args.labs):
        raise UsageError("name the labs to run (e.g. lab3), or --all")
    chosen = available if args.all else [labs.resolve(name, available) for name in args.labs]
    if not chosen:
        raise labs.LabError(f"no labs found in {labs.LABS_DIR}")
    if args.timeout is not None and not 0 < args.timeout <= 600:
        raise UsageError("--timeout takes seconds between 0 and 600")
    if args.exercise is not None:
        if len(chosen) != 1:
            raise UsageError("--exercise goes with exactly one lab")
        if not args.exercise.is_file():
            raise UsageError(f"--exercise {args.exercise}: no such file")
    if args.junit is not None and not args.junit.parent.is_dir():
        raise UsageError(f"--junit {args.junit}: no such folder {args.junit.parent}")
    containers = stack.require_healthy(sorted({s for lab in chosen for s in lab.services} | {"workbench"}))

    results = []
    for lab in chosen:
        result = run_one(lab, args.exercise or lab.exercise_path, containers, args.timeout)
        results.append(result)
        if not args.json:
            print(report.summary_line(result) if args.all else report.text(result), flush=True)
    if args.json:
        print(report.as_json(results))
    elif args.all:
        print(f"{sum(r.passed for r in results)} passed, {sum(not r.passed for r in results)} failed")
    if args.junit:
        report.write_junit(results, args.junit)
    if args.exercise is None:  # grading someone else's file is not the learner's own result
        report.save_state(results)
    return 0 if all(r.passed for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parse(argv)
        return cmd_list() if args.command == "list" else cmd_run(args)
    except BrokenPipeError:  # `... | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (UsageError, labs.LabError, stack.StackError, OSError) as err:
        print(f"lab_runner: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lab_runner: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug of ours: one line, and the traceback only on request
        if os.environ.get("LAB_RUNNER_DEBUG"):
            raise
        print(
            f"lab_runner: internal error: {type(err).__name__}: {err} (LAB_RUNNER_DEBUG=1 shows more)",
            file=sys.stderr,
        )
        return 3
