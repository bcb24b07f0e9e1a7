"""What was handed in: SUBMISSIONS/<learner>/<NN_slug>/exercise.py, an Entry per learner and
chosen lab, and a warning (never fatal) for everything else in the folder."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

from lab_runner import labs
from lab_runner.escaping import one_line
from lab_runner.grade.entry import Entry
from lab_runner.labs import Lab, LabError

MAX_BYTES = 1 << 20  # an exercise.py larger than this is not graded


def check_file(path: Path) -> str | None:
    """Why PATH cannot be graded (one line), or None: a plain file of UTF-8 Python that compiles."""
    try:
        if path.is_symlink():
            return "a symbolic link, not a file: not graded"
        if not path.is_file():
            return "not a file"
        if path.stat().st_size > MAX_BYTES:
            return f"larger than {MAX_BYTES // 1024} KiB: not graded"
        data = path.read_bytes()
    except OSError as err:
        return f"cannot be read: {err.strerror}"
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return f"not UTF-8 text: byte 0x{data[err.start]:02x} on line {line}"
    try:
        compile(source, path.name, "exec", dont_inherit=True)
    except SyntaxError as err:
        return f"not valid Python: {err.msg} (line {err.lineno})"
    except (ValueError, RecursionError, MemoryError, OverflowError) as err:
        return f"not valid Python: {type(err).__name__}: {err}"
    return None


def _skipped(top: Path) -> str | None:
    """Why a top-level entry of SUBMISSIONS is not a learner folder, or None."""
    if top.name.startswith("."):
        return "hidden"
    if one_line(top.name) != top.name:
        return "its name is not plain text"
    if top.is_symlink():
        return "a symbolic link"
    return None if top.is_dir() else "not a learner folder"


def same_learner(name: str) -> str:
    """NAME as a person reads it: folders whose names differ only in white space, case or Unicode
    normal form ("bob", "bob ", "Bob", "bo\u0062") would be one row of grades.csv to a reader.

    >>> same_learner(" Bob\u00a0 Smith ") == same_learner("bob smith")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def refuse_lookalikes(names: list[str]) -> None:
    """LabError when two learner folders read as one name: grading them would merge two people."""
    seen: dict[str, str] = {}
    for name in names:
        if (key := same_learner(name)) in seen:
            raise LabError(
                f"learner folders {one_line(repr(seen[key]))} and {one_line(repr(name))} differ only in"
                " white space, case or Unicode form: rename one, so that no two learners share a row"
            )
        seen[key] = name


def collect(
    root: Path, chosen: list[Lab], every: list[Lab], warn: Callable[[str], None], skip: Path | None = None
) -> tuple[list[str], list[Entry]]:
    """The learners under ROOT and an Entry per learner and chosen lab; a warning for each stray
    entry (never fatal). LabError when ROOT is not a folder of learner folders."""
    layout = "SUBMISSIONS/<learner>/<NN_slug>/exercise.py"
    if not root.is_dir():
        raise LabError(f"{root}: {'not a folder' if root.exists() else 'no such folder'} ({layout})")
    known = {lab.folder.name for lab in every}
    learners, entries = [], []
    for top in sorted(root.iterdir(), key=lambda p: p.name):
        if skip is not None and top.resolve() == skip:
            continue  # RESULTS inside SUBMISSIONS
        name = one_line(top.name)
        if why := _skipped(top):
            warn(f"{name}: {why}, ignored")
            continue
        learners.append(top.name)
        try:
            inside = sorted(top.iterdir(), key=lambda p: p.name)
        except OSError as err:
            warn(f"{name}: cannot be read ({err.strerror}): every lab counts as not attempted")
            inside = []
        for sub in inside:
            if sub.name in known and sub.is_dir() and not sub.is_symlink():
                try:
                    extras = sorted(p.name for p in sub.iterdir() if p.name != "exercise.py")
                except OSError as err:
                    extras = [f"({err.strerror})"]
                for extra in extras:
                    warn(f"{name}/{sub.name}/{one_line(extra)}: only exercise.py is graded, ignored")
                continue
            try:
                meant = f" (did you mean {labs.resolve(sub.name, every).folder.name}?)"
            except LabError:
                meant = ""
            warn(f"{name}/{one_line(sub.name)}: not a lab folder{meant}, ignored")
        for lab in chosen:
            entry = Entry(top.name, lab)
            path = top / lab.folder.name / "exercise.py"
            if (top / lab.folder.name).is_symlink():
                entry.status, entry.reason = "invalid", f"{lab.folder.name} is a symbolic link: not graded"
            elif os.path.lexists(path):
                entry.file = path
                problem = check_file(path)
                entry.status, entry.reason = ("invalid", problem) if problem else ("to grade", "")
            entries.append(entry)
    if not learners:
        raise LabError(f"{root} has no learner folders ({layout})")
    refuse_lookalikes(learners)
    return learners, entries


def chosen_labs(text: str | None, every: list[Lab]) -> list[Lab]:
    if not text:
        return every
    found = {lab.number: lab for lab in (labs.resolve(n, every) for n in text.split(",") if n.strip())}
    if not found:
        raise LabError("--labs names no lab (e.g. --labs lab3,lab6)")
    return [found[n] for n in sorted(found)]
