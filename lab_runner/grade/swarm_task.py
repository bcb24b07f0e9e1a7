"""One task of `grade --swarm`, in the grader image on some node: python -m lab_runner.grade.swarm_task.

It reads its shard (/run/shard, a swarm config: swarm_wire.shard_config), brings up a Compose
stack of its own on its node's engine (the node's Docker socket, bind-mounted; its own
COMPOSE_PROJECT_NAME; the node's images, no build), grades the shard with the same code as a
local grade (scheduler.Grader: the same sandboxes, limits and run-again rule), prints each entry
as framed lines once it is final, and takes its stack down.

Why the task holds the socket: the checks exec into the run's sandbox and the stack's containers
through the engine of the node where they run, and a manager cannot exec on another node. No
learner's code reaches it: a learner's file runs only in the sandboxes the task makes (no
socket, no capability beyond lab-run's list, a walled network), never in this container.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from lab_runner import labs, stack
from lab_runner.grade import swarm_wire
from lab_runner.grade.entry import Entry
from lab_runner.grade.scheduler import Grader
from lab_runner.paths import ROOT
from lab_runner.session import Session

SHARD = Path("/run/shard")
OVERRIDE = ROOT / "images/grader/compose.grader.yaml"  # no ./labs bind: see that file


class TaskGrader(Grader):
    """A Grader that knows when each run began and ended, to tell when an entry is final."""

    def __init__(self, services: list[str], timeout: float | None, session: Session) -> None:
        super().__init__(services, timeout, session)
        self.began: dict[int, float] = {}
        self.ended: set[int] = set()

    def grade(self, entry: Entry, alone: bool) -> None:
        with self.cond:
            self.began[id(entry)] = time.monotonic() - self.started
            self.ended.discard(id(entry))
        try:
            super().grade(entry, alone)
        finally:
            with self.cond:
                self.ended.add(id(entry))

    def final(self, entry: Entry, mine: list[Entry]) -> bool:
        """ENTRY's last run has ended, and it will not run again: it passed, or failed for its
        own reasons, or every run that began before it ended has ended too and none of them
        could have made it fail (then nothing can change that any more)."""
        with self.cond:
            if id(entry) not in self.ended:
                return False
            if not entry.suspect:
                return True
            end = entry.span[1]
            if any(id(o) not in self.ended for o in mine if self.began.get(id(o), end) < end):
                return False
        return not any(map(entry.disturbed_by, mine))


def emit(number: int, entry: Entry) -> None:
    page = entry.runs[-1].get("page") if entry.runs else None
    html = None
    if page:
        try:
            html = (Path(entry.file).parents[2] / page).read_text(encoding="utf-8")  # type: ignore[arg-type]
        except OSError:
            html = None  # the grades do not depend on it
    for line in swarm_wire.as_lines(number, entry, len(entry.runs) > 1, html):
        sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    shard = swarm_wire.unpack(SHARD.read_text())
    every = {lab.key: lab for lab in labs.discover()}
    work = Path(tempfile.mkdtemp(prefix="shard-"))
    entries: dict[int, Entry] = {}
    for sent in shard["entries"]:  # type: ignore[index]
        lab = every[sent["lab"]]
        path = work / "class" / sent["learner"] / lab.folder.name / "exercise.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sent["source"], encoding="utf-8")
        entries[sent["id"]] = Entry(sent["learner"], lab, path, "to grade", "")
    chosen = sorted({e.lab for e in entries.values()}, key=lambda lab: lab.number)
    services = labs.services_for(chosen)
    parallel, timeout = shard["parallel"], shard["timeout"]  # type: ignore[index]
    print(f"task: {len(entries)} entries, stack {stack.project()}", file=sys.stderr)
    session = Session()
    try:
        began = time.monotonic()
        stack.compose("-f", str(OVERRIDE), "up", "-d", "--wait", "--no-build", timeout=300)
        print(f"task: stack up in {time.monotonic() - began:.1f} s", file=sys.stderr)
        began = time.monotonic()
        grader = TaskGrader(services, timeout, session)
        grader.pages = work / "class" / "pages"
        session.pool.keep(parallel)
        mine, sent = list(entries.values()), set()
        number = {id(e): n for n, e in entries.items()}

        def tick() -> None:
            for e in mine:
                if id(e) not in sent and grader.final(e, mine):
                    sent.add(id(e))
                    emit(number[id(e)], e)

        grader.side_by_side(mine, parallel, tick)
        for e in mine:  # the runs again are final now; a run not graded (the stack stayed unwell)
            if id(e) not in sent and e.status != "to grade":  # is left for another task
                emit(number[id(e)], e)
        print(f"task: graded in {time.monotonic() - began:.1f} s", file=sys.stderr)
        if grader.aborted:
            print(f"task: grading stopped: {grader.aborted}", file=sys.stderr)
            return 2
        print(f"{swarm_wire.DONE} {len(entries)}", flush=True)
        return 0
    finally:
        session.reader.shutdown(wait=True)
        session.pool.wait()  # no spares left behind: the stack goes
        began = time.monotonic()
        stack.compose("down", "-v", "--timeout", "5", timeout=120, check=False)
        print(f"task: stack down in {time.monotonic() - began:.1f} s", file=sys.stderr)


def stopped(signum: int, _frame: object) -> None:
    """SIGTERM (the service removed: grading interrupted): end through main's finally, which
    takes the stack down (the swarm waits 10 s before SIGKILL)."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stopped)
    os.umask(0o022)
    try:
        sys.exit(main())
    except (stack.StackError, labs.LabError, OSError) as err:
        print(f"task: error: {err}", file=sys.stderr)
        sys.exit(2)
