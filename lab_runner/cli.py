"""python -m lab_runner: run the labs, and everything a learner needs around a run.

    python -m lab_runner lab3                  # check your labs/03_*/exercise.py (same as: run lab3)
    python -m lab_runner hint lab3             # the next hint for the step you are on
    python -m lab_runner watch                 # re-check on every save, from the first lab not passed
    python -m lab_runner reset lab3            # the shipped starter back (yours is kept)
    python -m lab_runner solution lab3         # the reference (asks first if lab3 has not passed)
    python -m lab_runner list                  # your progress
    python -m lab_runner ports                 # where flask and chat are published on this host
    python -m lab_runner learner alice         # your name, once: labs with values draw yours from it
    python -m lab_runner show lab3             # the latest run's exchange, as a page in the browser
    python -m lab_runner lab3 --html lab3.html # that page, written where you say
    python -m lab_runner lab3 --solution       # run the reference (an instructor's self-check)
    python -m lab_runner run --all --junit results.xml
    python -m lab_runner lab3 --exercise submissions/alice.py
    python -m lab_runner grade submissions --out results   # every learner's every lab

Exit codes: 0 every step passed; 1 a step failed (or the exercise crashed or hung);
2 the environment or the input is wrong (the message says what to run or type);
3 a bug in lab_runner itself; 4 a question with no terminal to ask it (`solution LAB` before
the lab has passed: add --force); 5 the lab was skipped: this machine cannot run it (lab 15 on a
kernel that cannot drop packets; run with other labs, it is left out in one line);
130 interrupted. `grade` exits 0 once the class is graded, whatever the grades (they are in its
results), and 2 when the input or the environment kept it from that.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from lab_runner import commands, labs, stack
from lab_runner.commands import UsageError
from lab_runner.session import Session

GRADE_PARALLEL = 8  # runs side by side in `grade` (docs/benchmarks.md: 2 cores, mostly waiting)


Command = Callable[[argparse.Namespace, Session], int]


def run_watch(args: argparse.Namespace, session: Session) -> int:
    from lab_runner import watch  # watchdog (85 ms to import) only when watching

    return watch.main(args.lab, session)


def run_grade(args: argparse.Namespace, session: Session) -> int:
    from lab_runner import grade  # 13 ms that a learner's run need not pay

    if args.swarm:
        from lab_runner.grade import swarm

        return swarm.main(args, session)
    return grade.main(args, session)


def runs_nothing(command: Callable[[argparse.Namespace], int]) -> Command:
    """COMMAND, which runs no lab: it needs no session."""
    return lambda args, _session: command(args)


# The one command table: what each command of the parser below runs.
COMMANDS: dict[str, Command] = {
    "run": commands.cmd_run,
    "list": runs_nothing(commands.cmd_list),
    "hint": commands.cmd_hint,
    "solution": runs_nothing(commands.cmd_solution),
    "reset": runs_nothing(commands.cmd_reset),
    "ports": runs_nothing(commands.cmd_ports),
    "learner": runs_nothing(commands.cmd_learner),
    "show": runs_nothing(commands.cmd_show),
    "watch": run_watch,
    "grade": run_grade,
}


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
    run.add_argument(
        "--learner",
        metavar="NAME",
        help="draw the lab's values for NAME, not for the name set with `learner`",
    )
    for name, text in [
        ("hint", "the next hint for the first step your exercise fails"),
        ("solution", "show the lab's reference solution"),
        ("reset", "put the shipped starter back in exercise.py (yours is kept)"),
    ]:
        sub.add_parser(name, help=text).add_argument("lab", metavar="LAB")
    sub.choices["solution"].add_argument(
        "--force", action="store_true", help="show it before the lab has passed, without asking"
    )
    sub.add_parser("ports", help="where this stack's flask and chat are published on this host")
    sub.add_parser(
        "learner", help="your name, set once: labs with values of their own draw yours from it"
    ).add_argument("name", nargs="?", metavar="NAME", help="set it (default: say it)")
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
    grade.add_argument(
        "--swarm", action="store_true", help="on a swarm manager: fan the class out over its nodes"
    )
    if not argv:
        raise UsageError("say what to do: a lab (e.g. lab3), hint LAB, watch, list, or run --all")
    # `python -m lab_runner lab3` is short for `run lab3`.
    if argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv = ["run", *argv]
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    session = Session()  # the pool and readers of this process's runs: passed down, closed below
    try:
        args = parse(argv)
        return COMMANDS[args.command](args, session)
    except BrokenPipeError:  # `... | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except stack.Skipped as err:  # this machine cannot run the lab: not the learner's failure
        print(f"lab_runner: {err}", file=sys.stderr)
        return 5
    except (UsageError, labs.LabError, stack.StackError, OSError) as err:
        print(f"lab_runner: error: {err}", file=sys.stderr)
        return 2
    except commands.NeedsForce as err:
        print(f"lab_runner: error: {err}", file=sys.stderr)
        return 4
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
        session.close()  # spares half made are finished; spares for the next run, by another process
