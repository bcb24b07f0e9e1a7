"""The learner's commands around a run: list, hint, solution, reset, ports.

No work is ever lost: `reset` keeps the file it replaces in .lab-backups/NN_slug/.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from lab_runner import labs, report, stack, state
from lab_runner.stack import ROOT

BACKUPS = ROOT / ".lab-backups"


class NeedsForce(Exception):
    """A question only a terminal can answer, and no --force (exit 4)."""


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
        since = "" if entry.get("passed") or not passed(entry) else "passed before; "
        if steps := steps_of(entry):
            last += f"   ({since}last run: {steps})"
        if "steps_passed" not in entry:
            where = "not tried yet"
        else:
            where = f"passed   {last}" if passed(entry) else f"started  {last}"
        print(f"{lab.key:<6} {lab.title:<{width}}  {where}")
    upcoming = next_lab()
    if upcoming is None:
        print("every lab passes: well done")
    else:
        print(f"next: {upcoming.key} · {upcoming.title}   (python -m lab_runner {upcoming.key})")
    return 0


def _current_result(lab: labs.Lab) -> dict:
    """The learner's last result for LAB if it is for exercise.py as it is now; else check it now."""
    entry = state.load().get(lab.folder.name, {})
    if "steps_passed" in entry and entry.get("exercise") == state.fingerprint(lab.exercise_path):
        return entry
    from lab_runner import cli  # a run needs the stack; only done when the last result is stale

    print(f"checking {lab.key} first (exercise.py changed since its last run) ...", flush=True)
    cli.remember(cli.check([lab], [lab.exercise_path])[0])
    return state.load()[lab.folder.name]


def cmd_hint(args: argparse.Namespace) -> int:
    lab = labs.resolve(args.lab)
    entry = _current_result(lab)
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
    if not passed(state.load().get(lab.folder.name, {})):
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
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"exercise-{stamp}.py", 1
    while path.exists():
        n += 1
        path = folder / f"exercise-{stamp}-{n}.py"
    return path


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
    tmp = target.with_name(".exercise.py.reset")
    tmp.write_bytes(starter)
    tmp.replace(target)
    print(f"{lab.key}: {target.relative_to(ROOT)} is the shipped starter again")
    if kept:
        print(f"your previous file is kept: {kept.relative_to(ROOT)}")
    return 0


def cmd_ports(args: argparse.Namespace) -> int:
    """Where this stack's services are published on this host (FLASK_PORT=0 lets Docker pick)."""
    print(f"stack {stack.project()}")
    for service in ("flask", "chat"):
        for container_port, (ip, port) in sorted(stack.published(service).items()):
            print(f"{service:<8} {ip}:{port:<6} ({service}:{container_port} from the workbench)")
    return 0


COMMANDS = {
    "ports": cmd_ports,
    "list": cmd_list,
    "hint": cmd_hint,
    "solution": cmd_solution,
    "reset": cmd_reset,
}
