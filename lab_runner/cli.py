"""python -m lab_runner: run the labs, and everything a learner needs around a run.

    python -m lab_runner lab3                  # check your labs/03_*/exercise.py (same as: run lab3)
    python -m lab_runner hint lab3             # the next hint for the step you are on
    python -m lab_runner watch                 # re-check on every save, from the first lab not passed
    python -m lab_runner reset lab3            # the shipped starter back (yours is kept)
    python -m lab_runner solution lab3         # the reference solution
    python -m lab_runner list                  # your progress
    python -m lab_runner ports                 # where flask and chat are published on this host
    python -m lab_runner show lab3             # the latest run's exchange, as a page in the browser
    python -m lab_runner lab3 --html lab3.html # that page, written where you say
    python -m lab_runner lab3 --solution       # run the reference (an instructor's self-check)
    python -m lab_runner run --all --junit results.xml
    python -m lab_runner lab3 --exercise submissions/alice.py
    python -m lab_runner grade submissions --out results   # every learner's every lab

Exit codes: 0 every step passed; 1 a step failed (or the exercise crashed or hung);
2 the environment or the input is wrong (the message says what to run or type);
3 a bug in lab_runner itself; 130 interrupted. `grade` exits 0 once the class is graded, whatever
the grades (they are in its results), and 2 when the input or the environment kept it from that.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
from pathlib import Path

from lab_runner import grading, labs, latest, learner, page, report, sandbox, stack, state

COMMANDS = {"list", "run", "hint", "solution", "reset", "watch", "grade", "ports", "show"}
PARALLEL = 4  # labs checked side by side in `run`, each in a sandbox of its own
GRADE_PARALLEL = 8  # runs side by side in `grade` (docs/benchmarks.md: 2 cores, mostly waiting)


class UsageError(Exception):
    """Bad input on the command line (exit 2)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + error
        raise UsageError(f"{message} (see: python -m lab_runner --help)")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = Parser(
        prog="python -m lab_runner",
        description="Socket Lab: solve socket exercises against a real stack; each step is checked "
        "on what your code really did.",
        epilog="A lab can be named lab3, 3, 03_dev_log or dev_log. Start the stack first: "
        f"{stack.UP_COMMAND}",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("list", help="every lab with your progress, and which is next")
    run = sub.add_parser("run", help="check labs: run the exercise in the workbench, then each step's checks")
    run.add_argument("labs", nargs="*", metavar="LAB", help="which labs (e.g. lab3)")
    run.add_argument("--all", action="store_true", help="every lab, in order")
    which = run.add_mutually_exclusive_group()
    which.add_argument("--solution", action="store_true", help="run the reference solution.py instead")
    which.add_argument(
        "--exercise", type=Path, metavar="FILE", help="run FILE instead of the lab's exercise.py"
    )
    run.add_argument("--json", action="store_true", help="print a JSON results document instead of text")
    run.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML to FILE")
    run.add_argument(
        "--html", type=Path, metavar="FILE", help="also write the run's exchange as a page to FILE"
    )
    run.add_argument("--timeout", type=float, metavar="SECONDS", help="override the lab's time limit")
    for name, text in [("hint", "the next hint for the first step your exercise fails"),
                       ("solution", "show the lab's reference solution"),
                       ("reset", "put the shipped starter back in exercise.py (yours is kept)")]:  # fmt: skip
        sub.add_parser(name, help=text).add_argument("lab", metavar="LAB")
    sub.add_parser("ports", help="where this stack's flask and chat are published on this host")
    show_page = sub.add_parser(
        "show", help="open the latest run's page: what crossed the wire, what servers saw"
    )
    show_page.add_argument("lab", nargs="?", metavar="LAB", help="which lab (default: the one run last)")
    watch = sub.add_parser("watch", help="re-check whenever you save exercise.py")
    watch.add_argument(
        "lab", nargs="?", metavar="LAB", help="where to start (default: the first lab not passed)"
    )
    grade = sub.add_parser("grade", help="grade a class: SUBMISSIONS/<learner>/<NN_slug>/exercise.py")
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS", help="a folder per learner")
    grade.add_argument("--out", type=Path, required=True, metavar="RESULTS", help="where the results go")
    grade.add_argument("--labs", metavar="LAB,LAB", help="only these labs (default: every lab)")
    grade.add_argument("--timeout", type=float, metavar="SECONDS", help="override the labs' time limits")
    grade.add_argument("--parallel", type=int, default=GRADE_PARALLEL, metavar="N", help="runs side by side")
    if not argv:
        raise UsageError("say what to do: a lab (e.g. lab3), hint LAB, watch, list, or run --all")
    # `python -m lab_runner lab3` is short for `run lab3`.
    if argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv = ["run", *argv]
    return parser.parse_args(argv)


def exercise_file(lab: labs.Lab, args: argparse.Namespace) -> Path:
    if args.exercise is not None:
        return args.exercise
    return lab.solution_path if args.solution else lab.exercise_path


def check(chosen: list[labs.Lab], files: list[Path], timeout: float | None = None) -> list[grading.LabResult]:
    """Run each lab on its file, side by side, results in the labs' order."""
    containers = stack.require_healthy(sorted({s for lab in chosen for s in lab.services} | {"workbench"}))
    if len(chosen) == 1:
        return [grading.run_one(chosen[0], files[0], containers, timeout)]
    # A server lab takes longest (its checks drive it as clients, one after another): start it first.
    order = sorted(range(len(chosen)), key=lambda i: not chosen[i].serve)
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        futures = {i: pool.submit(grading.run_one, chosen[i], files[i], containers, timeout) for i in order}
        return [futures[i].result() for i in range(len(chosen))]


def remember(result: grading.LabResult) -> None:
    first = result.first_failing
    state.record(
        result.lab.folder.name, passed=result.passed, steps_passed=result.steps_passed,
        steps_total=len(result.lab.steps), failing_step=first.number if first else None,
        token=result.token, exercise=result.lab.exercise_path,
    )  # fmt: skip


def show(result: grading.LabResult, own: bool, page: str = "") -> str:
    """The text report; for the learner's own file, with their hints and what is next."""
    first = result.first_failing
    folder = result.lab.folder.name
    shown = state.hints_shown(folder, first.number) if own and first else 1
    return report.text(result, shown, learner.next_lab(result.lab) if own else None, own, page)


def keep_page(result: grading.LabResult, own: bool, follow: bool = False) -> Path | None:
    """The run's page as its lab's latest (.lab-runs/<lab>.html), with the learner's hints."""
    first = result.first_failing
    shown = state.hints_shown(result.lab.folder.name, first.number) if own and first else 1
    return latest.keep(result, shown, follow)


def page_line(path: Path | None, lab: labs.Lab) -> str:
    if path is None:
        return "the exchange as a page: not kept (cannot write .lab-runs/ here; --html FILE writes one)"
    return f"the exchange as a page: {latest.shown_path(path)}   (python -m lab_runner show {lab.key})"


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
    for option, path in (("--junit", args.junit), ("--html", args.html)):
        if path is not None and not path.parent.is_dir():
            raise UsageError(f"{option} {path}: no such folder {path.parent}")
    if args.html is not None and len(chosen) != 1:
        raise UsageError("--html goes with exactly one lab (each lab's latest page is in .lab-runs/)")
    files = [exercise_file(lab, args) for lab in chosen]
    for path in files:
        if not path.is_file():
            raise labs.LabError(f"{path} is missing (python -m lab_runner reset LAB puts the starter back)")
    own = args.exercise is None and not args.solution  # the learner's own exercise.py
    results = check(chosen, files, args.timeout)
    if own:
        for r in results:
            remember(r)
    pages = [keep_page(r, own) for r in results]
    if args.html is not None:
        page.write(results[0], args.html)
    if args.json:
        print(report.as_json(results))
    elif args.all:
        for r in results:
            print(report.summary_line(r))
        print(f"{sum(r.passed for r in results)} passed, {sum(not r.passed for r in results)} failed")
    else:
        print("\n\n".join(show(r, own, page_line(p, r.lab)) for r, p in zip(results, pages, strict=True)))
    if args.junit:
        report.write_junit(results, args.junit)
    return 0 if all(r.passed for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parse(argv)
        if args.command == "run":
            return cmd_run(args)
        if args.command == "grade":
            from lab_runner import grade

            return grade.main(args)
        if args.command == "watch":
            from lab_runner import watch  # watchdog is only needed here

            return watch.main(args.lab)
        if args.command == "show":
            return latest.cmd_show(args)
        return learner.COMMANDS[args.command](args)
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
    finally:
        sandbox.POOL.refill_later()  # spares for the next run, by a process that outlives this one
