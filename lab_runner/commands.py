"""The learner's commands: run, list, hint, solution, reset, ports, learner (watch is watch.py).

No work is ever lost: `reset` keeps the file it replaces in .lab-backups/NN_slug/.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from lab_runner import escaping, labs, latest, learner, page, report, stack, state, values
from lab_runner.learner import next_lab
from lab_runner.paths import BACKUPS, ROOT, atomic_write, fresh_name, runs_dir
from lab_runner.services import SERVICES
from lab_runner.session import Session


class UsageError(Exception):
    """Bad input on the command line (exit 2)."""


class NeedsForce(Exception):
    """A question only a terminal can answer, and no --force (exit 4)."""


def cmd_run(args: argparse.Namespace, session: Session) -> int:
    available = labs.discover()
    if args.all == bool(args.labs):
        raise UsageError("name the labs to run (e.g. lab3), or --all")
    chosen = available if args.all else [labs.resolve(name, available) for name in args.labs]
    if not chosen:
        raise labs.LabError(f"no labs found in {labs.LABS_DIR}")
    if args.timeout is not None and not labs.valid_timeout(args.timeout):
        raise UsageError(f"--timeout takes seconds between 0 and {labs.MAX_TIMEOUT}")
    if args.learner is not None:
        try:
            values.checked_name(args.learner)
        except values.ValuesError as err:
            raise UsageError(f"--learner: {err}") from err
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
    files = [learner.exercise_file(lab, args.solution, args.exercise) for lab in chosen]
    for path in files:
        if not path.is_file():
            raise labs.LabError(f"{path} is missing (python -m lab_runner reset LAB puts the starter back)")
    own = args.exercise is None and not args.solution  # the learner's own exercise.py
    results = learner.check(chosen, files, session, args.timeout, args.learner)
    if own:
        for r in results:
            learner.remember(r)
    pages = [learner.keep_page(r, own) for r in results]
    if args.html is not None:
        page.write(results[0], args.html)
    if args.json:
        print(report.as_json(results))
    elif args.all:
        for r in results:
            print(report.summary_line(r))
        print(f"{sum(r.passed for r in results)} passed, {sum(not r.passed for r in results)} failed")
    else:
        lines = [learner.page_line(p, r.lab) for r, p in zip(results, pages, strict=True)]
        shown = [learner.show(r, own, line) for r, line in zip(results, lines, strict=True)]
        print("\n\n".join(shown))
    if args.junit:
        report.write_junit(results, args.junit)
    return 0 if all(r.passed for r in results) else 1


def cmd_list(args: argparse.Namespace) -> int:
    found = labs.discover()
    if not found:
        raise labs.LabError(f"no labs found in {labs.LABS_DIR}")
    progress = state.load()
    width = max(len(lab.title) for lab in found)
    for lab in found:
        entry = progress.get(lab.folder.name, {})
        total = len(lab.steps)
        last = f"{entry.get('steps_passed')}/{total} steps   {entry.get('at', '')}"
        since = "" if entry.get("passed") or not learner.passed(entry) else "passed before; "
        if steps := learner.steps_of(entry):
            last += f"   ({since}last run: {steps})"
        if "steps_passed" not in entry:
            where = "not tried yet"
        else:
            where = f"passed   {last}" if learner.passed(entry) else f"started  {last}"
        print(f"{lab.key:<6} {lab.title:<{width}}  {where}")
    upcoming = next_lab()
    if upcoming is None:
        print("every lab passes: well done")
    else:
        print(f"next: {upcoming.key} · {upcoming.title}   (python -m lab_runner {upcoming.key})")
    return 0


def cmd_learner(args: argparse.Namespace) -> int:
    """Say whose values the runs draw, or set it: the name is kept for every later run."""
    if args.name is None:
        print(f"learner: {escaping.one_line(state.learner_name())}")
        return 0
    try:
        before = state.set_learner_name(args.name)
    except values.ValuesError as err:
        raise UsageError(str(err)) from err
    print(
        f"learner: {escaping.one_line(state.learner_name())} (was: {escaping.one_line(before)});"
        " labs with values of their own draw them from this name from now on"
    )
    return 0


def _current_result(lab: labs.Lab, session: Session) -> dict:
    """The learner's last result for LAB if it is for exercise.py as it is now; else check it now."""
    entry = state.load().get(lab.folder.name, {})
    if "steps_passed" in entry and entry.get("exercise") == state.fingerprint(learner.own_file(lab)):
        return entry
    print(f"checking {lab.key} first (exercise.py changed since its last run) ...", flush=True)
    learner.remember(learner.check([lab], [lab.exercise_path], session)[0])
    return state.load()[lab.folder.name]


def cmd_hint(args: argparse.Namespace, session: Session) -> int:
    lab = labs.resolve(args.lab)
    entry = _current_result(lab, session)
    if entry.get("passed"):
        upcoming = next_lab(lab)
        print(
            f"{lab.key} passes: no hint needed."
            + (f" next: {upcoming.key} · {upcoming.title}" if upcoming else "")
        )
        return 0
    number = entry.get("failing_step") or 1
    step = lab.steps[number - 1]
    texts = entry.get("hint_texts")  # the last run's: its first failing check's, its errors', the step's
    hints = (
        texts if isinstance(texts, list) and texts and all(isinstance(t, str) for t in texts) else step.hints
    )
    shown = state.reveal_hint(lab.folder.name, number, len(hints))
    print(f"{lab.key}, step {number}: {step.title}")
    lines = report.labelled("expected", step.goal, indent=2)
    for n in range(shown):
        lines += report.labelled(f"hint {n + 1}/{len(hints)}", hints[n], indent=2)
    print("\n".join(lines))
    if shown == len(hints):
        print(
            f"  that is the last hint for step {number}; "
            f"the reference: python -m lab_runner solution {lab.key}"
        )
    return 0


def cmd_solution(args: argparse.Namespace) -> int:
    lab = labs.resolve(args.lab)
    source = lab.solution_path.read_text(encoding="utf-8")
    if not learner.passed(state.load().get(lab.folder.name, {})):
        warning = (
            f"# You have not passed {lab.key} yet. Reading the answer first skips the part where you\n"
            f"# find it: `python -m lab_runner hint {lab.key}` gives one more hint at a time.\n"
        )
        if not args.force:
            if not sys.stdin.isatty():  # nobody to ask: a script, a pipe
                raise NeedsForce(
                    f"you have not passed {lab.key} yet, and with no terminal to ask: "
                    f"`python -m lab_runner solution {lab.key} --force` shows the reference anyway"
                )
            print(warning, end="")
            if input("show the reference anyway? [y/N] ").strip().lower() not in ("y", "yes"):
                print("not shown")
                return 0
            warning = ""
        print(f"{warning}# {lab.solution_path.relative_to(ROOT)}:\n")
    print(source, end="" if source.endswith("\n") else "\n")
    return 0


def backup_path(lab: labs.Lab) -> Path:
    """A new file name in .lab-backups/NN_slug/ (never one that exists)."""
    folder = BACKUPS / lab.folder.name
    folder.mkdir(parents=True, exist_ok=True)
    return fresh_name(folder, "exercise", ".py")


def cmd_reset(args: argparse.Namespace) -> int:
    lab = labs.resolve(args.lab)
    starter = lab.starter_path.read_bytes()
    target = lab.exercise_path
    if target.exists() and target.read_bytes() == starter:
        print(f"{lab.key}: {target.relative_to(ROOT)} is the shipped starter already; nothing changed")
        return 0
    kept = None
    if target.exists():
        kept = backup_path(lab)
        shutil.copy2(target, kept)
    atomic_write(target, starter)
    print(f"{lab.key}: {target.relative_to(ROOT)} is the shipped starter again")
    if kept:
        print(f"your previous file is kept: {kept.relative_to(ROOT)}")
    return 0


def cmd_ports(args: argparse.Namespace) -> int:
    """Where this stack's services are published on this host (FLASK_PORT=0 lets Docker pick)."""
    print(f"stack {stack.project()}")
    for service in (name for name, s in SERVICES.items() if s.published):
        for container_port, (ip, port) in sorted(stack.published(service).items()):
            print(f"{service:<8} {ip}:{port:<6} ({service}:{container_port} from the workbench)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    if args.lab:
        path = latest.path_of(labs.resolve(args.lab))
    else:  # the page of the lab run last
        found = sorted(runs_dir().glob("lab*.html"), key=lambda p: p.stat().st_mtime)
        if not found:
            raise labs.LabError("no run's page yet: run a lab first (e.g. python -m lab_runner lab1)")
        path = found[-1]
    if not path.is_file():
        key = path.stem
        raise labs.LabError(f"no page for {key} yet: run it first (python -m lab_runner {key})")
    print(latest.open_page(path))
    return 0
