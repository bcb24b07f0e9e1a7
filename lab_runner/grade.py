"""python -m lab_runner grade SUBMISSIONS --out RESULTS: every lab of every learner, graded.

SUBMISSIONS/<learner>/ mirrors labs/: SUBMISSIONS/alice/03_dev_log/exercise.py is Alice's lab 3,
and a lab with no file is not attempted. Each file is graded by grading.run_one, the code path
of `python -m lab_runner lab3 --exercise FILE`; RESULTS gets grades.csv, grades.json, junit.xml.

Every run has a sandbox of its own (lab_runner/sandbox.py): its own files, /tmp, processes,
IPC, network namespace (a server lab's port is its own) and limits, and nothing of it outlives
the run. So the runs of the whole class go side by side, PARALLEL at a time, whatever their
learner. What runs still share is the services (the chat room, Flask, rsyslog) and the CPU: a
run can make a run beside it fail (never pass: every check rests on the run's own trace and
token). misbehaved() says what a run did that can reach its neighbours, and a failure beside
such a run is run again without it (and alone if need be). The last run is the grade, the one
`--exercise` would give that file alone.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lab_runner import grading, labs, page, report, sandbox, stack
from lab_runner.exercise import STOPPED
from lab_runner.labs import Lab, LabError
from lab_runner.trace import address

STATUSES = ("passed", "failed", "not attempted", "invalid", "error")
MARKS = {"passed": "✓", "failed": "✗", "not attempted": "·", "invalid": "?", "error": "!"}
COLUMNS = ["learner", "lab", "title", "status", "passed", "steps_passed", "steps_total",
           "failing_step", "reason", "seconds", "token"]  # fmt: skip
OUTPUTS = ("grades.csv", "grades.json", "junit.xml", "pages")  # pages/: each run's exchange page
MAX_BYTES = 1 << 20  # an exercise.py larger than this is not graded
HEAL = 60.0  # seconds to wait for the stack to be healthy again after a run found it unwell
SLOW = 5.0  # seconds: a run this long is most likely waiting (or hung): one more may start beside it
MANY_CALLS, MANY_SOCKETS, MANY_TASKS = 2000, 64, 32  # more than this many is a flood
TIMED_OUT, SIGNALLED = "stopped at its time limit", "killed by a signal"
FLOODED, SPUN = "flooded its output", "made a flood of socket calls"


def through_services(why: str) -> bool:
    """Whether a misbehaviour reaches the runs beside it. With a sandbox per run, what a run does
    to its files, processes, ports, IPC and memory stays in its sandbox; what reaches another run
    goes through the services they share (the chat room, Flask, rsyslog): many sockets, or a
    flood of bytes. Everything else takes CPU only: a run beside it is slower, not wrong (its
    checks start once it has ended), unless it is a server lab, checked while it runs."""
    return why.endswith(" sockets") or why.startswith("the exercise flooded its sockets")


def printable(text: str) -> str:
    """TEXT (a folder name: untrusted) safe for a terminal, a CSV cell and XML: what is not
    printable, and bytes that were not UTF-8, written as escapes."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def cell(text: str) -> str:
    """One CSV cell: one line, and not a formula to a spreadsheet (= + - @ lead with a quote)."""
    text = printable(" ".join(text.split()))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def misbehaved(result: grading.LabResult) -> list[str]:
    """What the run did that can reach a run beside it (empty: nothing that could)."""
    ex, why = result.exercise, []
    code = ex.exit_code
    if ex.timed_out:
        why.append(TIMED_OUT)
    elif code in (-9, 137) and not ex.serving:
        why.append("killed by SIGKILL (out of memory?)")
    elif code is not None and not 0 <= code < 128 and not (ex.serving and code == STOPPED):
        why.append(SIGNALLED)
    if (left := len(ex.stopped) - ex.serving) > 0:  # a server lab's own server is stopped
        why.append(f"left {left} process(es) running")
    binds = ex.calls.named("bind")
    if ex.timed_out and any(
        isinstance(a := address(c.args), tuple) and a[1] not in (0, result.lab.serve) for c in binds
    ):
        why.append("held (or tried to hold) a port until its time limit")
    bound = [address(c.args) for c in binds if c.ret == 0]
    if (files := ex.removed - sum(isinstance(a, str) and a.startswith("/") for a in bound)) > 0:
        why.append(f"left {files} file(s) in /tmp that are not its sockets")
    tasks = sum(len(ex.calls.named(name)) for name in ("clone", "clone3", "fork", "vfork"))
    if tasks > MANY_TASKS:
        why.append(f"started {tasks} processes or threads")
    if len(ex.calls.sockets) > MANY_SOCKETS:
        why.append(f"made {len(ex.calls.sockets)} sockets")
    elif len(ex.trace) > MANY_CALLS:
        why.append(SPUN)
    if ex.output_dropped:  # not its printed text: an exercise may print anything
        why.append(FLOODED)
    if ex.flooded:  # bytes it sent to the services: they are everyone's
        why.append(ex.flooded)
    return why


@dataclass(eq=False)
class Entry:
    """One learner's one lab: what was found, and how it was graded."""

    learner: str
    lab: Lab
    file: Path | None = None
    status: str = "not attempted"
    reason: str = "no exercise.py"
    result: grading.LabResult | None = None
    runs: list[dict] = field(default_factory=list)
    """Every run: verdict, token, seconds, whether alone, and what it did that can reach a neighbour."""
    span: tuple[float, float] = (0.0, 0.0)
    """When its last attempt ran, in seconds since grading started."""

    @property
    def noisy(self) -> set[str]:
        """What its last run did that can reach a run beside it (an error: nobody knows)."""
        return {"error"} if self.status == "error" else set(self.runs[-1]["misbehaved"] if self.runs else ())

    @property
    def holds(self) -> set[str]:
        """What its last run did that holds something the runs beside it share (the services)."""
        return {why for why in self.noisy if why == "error" or through_services(why)}

    @property
    def suspect(self) -> bool:
        """It failed, and a run beside it could be why: it held nothing shared itself, and it did not
        hang without ever making a socket (a run beside it cannot make such a program hang)."""
        ex = self.result.exercise if self.result else None
        hung_alone = ex is not None and ex.timed_out and not ex.calls.sockets
        return self.status == "failed" and not self.holds and not hung_alone

    def disturbed_by(self, other: Entry) -> bool:
        """OTHER ran beside this run and did what can make it fail."""
        beside = other is not self and other.span[0] < self.span[1] and other.span[1] > self.span[0]
        return beside and bool(other.noisy if self.lab.serve else other.holds)

    def record(self, result: grading.LabResult, alone: bool) -> None:
        self.result, self.status = result, "passed" if result.passed else "failed"
        self.reason = result.verdict
        self.runs.append({
            "passed": result.passed, "verdict": result.verdict, "token": result.token,
            "seconds": round(result.seconds, 3), "at": [round(t, 3) for t in self.span],
            "alone": alone, "misbehaved": misbehaved(result),
        })  # fmt: skip

    def as_row(self) -> dict:
        r = self.result
        first = r.first_failing if r and not r.passed else None
        return {
            "learner": self.learner, "lab": self.lab.key, "title": self.lab.title, "status": self.status,
            "passed": self.status == "passed", "steps_passed": r.steps_passed if r else 0,
            "steps_total": len(self.lab.steps), "failing_step": first.number if first else None,
            "reason": self.reason, "seconds": round(r.seconds, 3) if r else 0.0,
            "token": r.token if r else "",
            "page": self.runs[-1].get("page") if self.runs else None,
        }  # fmt: skip


# --- what was handed in -------------------------------------------------------------------------


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
    if printable(top.name) != top.name:
        return "its name is not plain text"
    if top.is_symlink():
        return "a symbolic link"
    return None if top.is_dir() else "not a learner folder"


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
        name = printable(top.name)
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
                    warn(f"{name}/{sub.name}/{printable(extra)}: only exercise.py is graded, ignored")
                continue
            try:
                meant = f" (did you mean {labs.resolve(sub.name, every).folder.name}?)"
            except LabError:
                meant = ""
            warn(f"{name}/{printable(sub.name)}: not a lab folder{meant}, ignored")
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
    return learners, entries


# --- running them -------------------------------------------------------------------------------


class Abort(Exception):
    """The stack stayed unwell: the rest of the class cannot be graded now."""


class Grader:
    """Runs entries on the stack, WORKERS at a time; a server lab's port is one run's at a time."""

    def __init__(self, services: list[str], timeout: float | None) -> None:
        self.services, self.timeout = services, timeout
        self.containers = stack.require_healthy(services)
        self.cond = threading.Condition()
        self.runs = 0  # runs done, in all
        self.first = 0  # first runs done
        self.aborted: str | None = None
        self.bug = False
        self.started = time.monotonic()
        self.pages: Path | None = None  # where each run's page goes (RESULTS/pages)

    def heal(self) -> None:
        """Wait until the stack is healthy again (its container ids may be new), or Abort."""
        deadline = time.monotonic() + HEAL
        while True:
            try:
                containers = stack.require_healthy(self.services)
            except stack.StackError as err:
                if time.monotonic() > deadline:
                    raise Abort(str(err)) from err
                time.sleep(1)
                continue
            with self.cond:
                self.containers = containers
            return

    def grade(self, entry: Entry, alone: bool) -> None:
        """One run of ENTRY's file, as `--exercise` runs it; a StackError is tried once more."""
        for attempt in (1, 2):
            with self.cond:
                containers = self.containers
            began = time.monotonic() - self.started
            try:
                result = grading.run_one(entry.lab, entry.file, containers, self.timeout)
                entry.span = (began, time.monotonic() - self.started)
                entry.record(result, alone)
                self.keep_page(entry, result)
                return
            except stack.StackError as err:  # the environment's, not the learner's
                entry.span = (began, time.monotonic() - self.started)
                entry.status, entry.reason = "error", str(err)
                if attempt == 1:
                    self.heal()
            except LabError as err:  # the lab itself is broken (its checks do not load)
                entry.status, entry.reason = "error", str(err)
                return
            except Exception as err:  # a bug of ours: this run is an error, the class goes on
                if os.environ.get("LAB_RUNNER_DEBUG"):
                    raise
                entry.status, entry.reason = "error", f"internal error: {type(err).__name__}: {err}"
                self.bug = True
                return

    def keep_page(self, entry: Entry, result: grading.LabResult) -> None:
        """The run's page, the instructor's evidence for its row: pages/<learner>/<lab>-<token>.html."""
        if self.pages is None:
            return
        folder = "".join(c if c.isalnum() or c in "._-" else "_" for c in entry.learner) or "_"
        name = f"{folder}/{entry.lab.folder.name}-{result.token}.html"
        try:
            page.write(result, self.pages / name)
        except OSError:
            return  # the grades do not depend on it
        entry.runs[-1]["page"] = f"pages/{name}"

    def run(
        self,
        entries: list[Entry],
        workers: int,
        tick: Callable[[], None],
        alone: bool = False,
        again: bool = False,
    ) -> None:
        """Grade ENTRIES, WORKERS at a time, and one more beside each run past SLOW seconds (up to
        twice WORKERS; ALONE: one at a time); server labs first, then the longest time limits.
        TICK now and then, for the progress display. Each run has a sandbox of its own, so two
        runs of a server lab never share its port."""
        todo = sorted(entries, key=lambda e: (not e.lab.serve, -e.lab.timeout, e.lab.number))
        running: dict[int, tuple[Entry, float]] = {}

        def one(entry: Entry) -> None:
            try:
                self.grade(entry, alone)
            except Abort as err:
                with self.cond:
                    self.aborted = self.aborted or str(err)
            finally:
                with self.cond:
                    del running[id(entry)]
                    self.runs += 1
                    self.first += not again
                    self.cond.notify_all()

        while True:
            with self.cond:
                now = time.monotonic()
                busy = sum(now - began < SLOW for _, began in running.values())
                while (
                    todo
                    and not self.aborted
                    and busy < workers
                    and len(running) < workers * (1 if alone else 2)
                ):
                    entry = todo.pop(0)
                    running[id(entry)] = (entry, now)
                    busy += 1
                    threading.Thread(target=one, args=(entry,), daemon=True).start()
                if not running and (not todo or self.aborted):
                    return
                self.cond.wait(0.25)
            tick()

    def side_by_side(self, mine: list[Entry], workers: int, tick: Callable[[], None]) -> list[Entry]:
        """Grade these runs side by side. A run that failed beside a run that could have made it
        fail (and held nothing shared itself) runs again without that run: side by side with the
        others run again (none of which holds anything shared, and each has its own sandbox); and
        if that is disturbed too, alone. The last run is the grade. Returns the entries run again."""
        self.run(mine, workers, tick)
        again: list[Entry] = []
        for alone in (False, True):
            redo = [e for e in mine if e.suspect and any(map(e.disturbed_by, mine))]
            again += [e for e in redo if e not in again]
            self.run(redo, 1 if alone else workers, tick, alone=alone, again=True)
        if any(e.holds for e in mine) and not self.aborted:
            try:  # the stack is well again before the next learner's runs
                self.heal()
            except Abort as err:
                self.aborted = str(err)
        return again


# --- what comes out -----------------------------------------------------------------------------


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
    _write(path, out.getvalue())


def as_document(learners: list[str], chosen: list[Lab], entries: list[Entry], summary: dict,
                warnings: list[str]) -> dict:  # fmt: skip
    results = []
    for e in entries:
        row = {**e.as_row(), "learner": printable(e.learner), "folder": e.lab.folder.name}
        row |= {"file": printable(f"{e.learner}/{e.lab.folder.name}/exercise.py") if e.file else None,
                "attempts": len(e.runs), "confirmed_alone": bool(e.runs) and e.runs[-1]["alone"],
                "runs": e.runs,
                "report": report.as_dict(e.result, exchange=False) if e.result else None}  # fmt: skip
        results.append(row)
    return {
        "learners": [printable(name) for name in learners],
        "labs": [
            {"lab": lab.key, "folder": lab.folder.name, "title": lab.title, "steps": len(lab.steps)}
            for lab in chosen
        ],  # fmt: skip
        "results": results,
        "summary": summary,
        "warnings": warnings,
    }


def write_junit(learners: list[str], entries: list[Entry], path: Path) -> None:
    """A testsuite per learner, a testcase per lab: failure (failed, invalid), skipped (not
    attempted), error (the environment's)."""
    suites = ET.Element("testsuites", name="socket-lab-grades")
    for name in learners:
        mine = [e for e in entries if e.learner == name]
        count = {s: sum(e.status == s for e in mine) for s in STATUSES}
        seconds = sum(e.result.seconds for e in mine if e.result)
        suite = ET.SubElement(
            suites, "testsuite", name=printable(name), tests=str(len(mine)),
            failures=str(count["failed"] + count["invalid"]), errors=str(count["error"]),
            skipped=str(count["not attempted"]), time=f"{seconds:.3f}",
        )  # fmt: skip
        for e in mine:
            case = ET.SubElement(suite, "testcase", classname=printable(name), name=e.lab.key,
                                 time=f"{e.result.seconds if e.result else 0:.3f}")  # fmt: skip
            reason = report.xml_text(printable(e.reason))
            if e.status == "failed":
                first = e.result.first_failing if e.result else None
                detail = [reason] + ([f"step {first.number}: {first.step.title}"] if first else [])
                ET.SubElement(case, "failure", message=reason, type="failed").text = "\n".join(detail)
            elif e.status == "invalid":
                ET.SubElement(case, "failure", message=reason, type="invalid")
            elif e.status == "not attempted":
                ET.SubElement(case, "skipped", message="not attempted")
            elif e.status == "error":
                ET.SubElement(case, "error", message=reason)
            if e.result:
                out = f"run {e.result.token}\n{e.result.exercise.output}"
                ET.SubElement(case, "system-out").text = report.xml_text(out)
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    out = io.BytesIO()
    tree.write(out, encoding="utf-8", xml_declaration=True)
    _write(path, out.getvalue().decode("utf-8"))


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OSError(f"cannot write {path}: {err.strerror}") from err


def prepare(out: Path) -> Path | None:
    """Make OUT (and its parents); earlier results in it go to OUT/previous-<time>/ (returned)."""
    if out.exists() and not out.is_dir():
        raise LabError(f"--out {out}: not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        old = [out / name for name in OUTPUTS if (out / name).exists()]
        if not old:
            return None
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside, n = out / f"previous-{stamp}", 1
        while aside.exists():
            n += 1
            aside = out / f"previous-{stamp}-{n}"
        aside.mkdir()
        for path in old:
            path.replace(aside / path.name)
        return aside
    except OSError as err:
        raise LabError(f"--out {out}: {err.strerror or err}") from err


# --- the command --------------------------------------------------------------------------------


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
        steps = f"{e.result.steps_passed}/{len(e.lab.steps)}" if e.status == "failed" and e.result else ""
        marks.append(f"{e.lab.key} {MARKS[e.status]}{steps}")
    return f"{printable(name):<{width}}  {passed:>2}/{len(mine)} labs passed   " + "  ".join(marks)


def summarize(learners: list[str], chosen: list[Lab], entries: list[Entry], again: list[Entry],
              wall: float) -> dict:  # fmt: skip
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


def chosen_labs(text: str | None, every: list[Lab]) -> list[Lab]:
    if not text:
        return every
    found = {lab.number: lab for lab in (labs.resolve(n, every) for n in text.split(",") if n.strip())}
    if not found:
        raise LabError("--labs names no lab (e.g. --labs lab3,lab6)")
    return [found[n] for n in sorted(found)]


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    every = labs.discover()
    if not every:
        raise LabError(f"no labs found in {labs.LABS_DIR}")
    chosen = chosen_labs(args.labs, every)
    if args.timeout is not None and not 0 < args.timeout <= 600:
        raise LabError("--timeout takes seconds between 0 and 600")
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
    services = sorted({s for lab in chosen for s in lab.services} | {"workbench"})
    grader = Grader(services, args.timeout)  # StackError (exit 2) before anything is written
    grader.pages = args.out / "pages"
    if aside := prepare(args.out):
        print(f"grade: the earlier results in {args.out} were moved to {aside}", file=sys.stderr)

    progress = Progress()
    todo = [e for e in entries if e.status == "to grade"]
    status = lambda: progress.show(  # noqa: E731
        f"grading: {len(learners)} learners, {grader.first}/{len(todo)} runs, "
        f"{grader.runs - grader.first} run again, {minutes(time.monotonic() - started)}"
    )  # fmt: skip
    sandbox.POOL.stays, sandbox.POOL.wanted = True, args.parallel  # spares for the runs to come
    again = grader.side_by_side(todo, args.parallel, status) if todo else []
    progress.clear()
    for e in entries:
        if e.status == "to grade":
            e.status, e.reason = "error", f"not graded: {grader.aborted}"

    wall = time.monotonic() - started
    summary = summarize(learners, chosen, entries, again, wall)
    write_csv(entries, args.out / "grades.csv")
    _write(
        args.out / "grades.json",
        json.dumps(as_document(learners, chosen, entries, summary, warnings), indent=2),
    )
    write_junit(learners, entries, args.out / "junit.xml")

    width = min(24, max(len(printable(n)) for n in learners))
    for name in learners:
        print(learner_line(name, [e for e in entries if e.learner == name], width))
    counts = ", ".join(f"{summary[s]} {s if s != 'error' else 'errors'}" for s in STATUSES)
    print(f"class: {len(learners)} learners x {len(chosen)} labs: {counts}")
    print("per lab: " + "  ".join(f"{k} {n}/{len(learners)}" for k, n in summary["per_lab"].items()))
    if again:
        print(f"run again: {len(again)} that failed beside a run that could have made them fail; "
              f"{summary['passed_again']} of them passed then")  # fmt: skip
    print(f"{summary['runs']} runs in {minutes(wall)}; results in {args.out}: {', '.join(OUTPUTS)}")
    print("  " + "  ".join(f"{mark} {status}" for status, mark in MARKS.items()))
    if grader.aborted:
        print(f"lab_runner: error: grading stopped: {grader.aborted}", file=sys.stderr)
        return 2
    if summary["error"]:
        print(f"lab_runner: error: {summary['error']} run(s) could not be graded (see the rows with status "
              f"error){'; a bug of lab_runner: LAB_RUNNER_DEBUG=1 shows more' if grader.bug else ''}",
              file=sys.stderr)  # fmt: skip
    return 3 if grader.bug else 2 if summary["error"] else 0
