"""Running a class's entries side by side, and again without a run that could have disturbed them."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lab_runner import page, runs, stack, verdict
from lab_runner.grade.entry import Entry
from lab_runner.labs import LabError
from lab_runner.session import Session

HEAL = 60.0  # seconds to wait for the stack to be healthy again after a run found it unwell
SLOW = 5.0  # seconds: a run this long is most likely waiting (or hung): one more may start beside it


SPARE_CPU = 0.2  # the share of the machine's CPU idle since the last look, past which it has some


class IdleCpu:
    """The share of the machine's CPU that was idle since the last look (/proc/stat); 1.0 where
    there is no /proc/stat (a Mac's lab_runner beside Docker Desktop's VM): then it never holds
    a run back."""

    def __init__(self) -> None:
        self.last = self._read()

    @staticmethod
    def _read() -> tuple[int, int] | None:
        try:
            with open("/proc/stat") as f:
                fields = [int(n) for n in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        return fields[3] + fields[4], sum(fields)  # idle and iowait, all

    def share(self) -> float:
        now, last = self._read(), self.last
        self.last = now
        if now is None or last is None or now[1] <= last[1]:
            return 1.0
        return (now[0] - last[0]) / (now[1] - last[1])


class Abort(Exception):
    """The stack stayed unwell: the rest of the class cannot be graded now."""


class Grader:
    """Runs entries on the stack, WORKERS at a time; a server lab's port is one run's at a time."""

    def __init__(self, services: list[str], timeout: float | None, session: Session | None = None) -> None:
        self.services, self.timeout = services, timeout
        self.session = session or Session()  # grade's (cli.main's); a test's grader: one of its own
        self.containers = stack.require_healthy(services)
        self.cond = threading.Condition()
        self.runs = 0  # runs done, in all
        self.first = 0  # first runs done
        self.aborted: str | None = None
        self.bug = False
        self.started = time.monotonic()
        self.pages: Path | None = None  # where each run's page goes (RESULTS/pages)
        self.noisy: set[str] = set()  # learners one of whose runs held what the runs share
        self.hung: set[str] = set()  # learners one of whose runs waited until its time limit

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
                result = runs.run_one(
                    entry.lab, entry.file, containers, self.timeout, self.session, entry.learner
                )
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

    def keep_page(self, entry: Entry, result: verdict.LabResult) -> None:
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

    def next_of(self, todo: list[Entry]) -> int:
        """Which entry goes next: the first whose learner has not been noisy yet, and of those, one
        whose learner hung before. A learner whose run held the services (a flood, a crowd of
        sockets) is likely to do it again; their runs wait for the end, where fewer good runs go
        beside them and need running again (from the last time limit's worth of
        work on). A learner whose run hung is likely to hang again: a hang only waits, so it
        waits beside the others' work rather than after it, at the end."""
        quiet = [i for i, e in enumerate(todo) if e.learner not in self.noisy]
        if len(quiet) < len(todo) and len(quiet) <= self.left_for_a_time_limit(todo):
            quiet = list(range(len(todo)))  # the noisy ones' turn: their hangs overlap the last work
        return next((i for i in quiet if todo[i].learner in self.hung), quiet[0] if quiet else 0)

    def left_for_a_time_limit(self, todo: list[Entry]) -> float:
        """How many runs the class gets through, at its pace so far, in the longest time limit of
        the noisy learners' runs left: once no more than that are left, the noisy ones start too,
        or a hang of theirs would run its whole time limit after everything else."""
        took = time.monotonic() - self.started
        longest = max((e.lab.timeout for e in todo if e.learner in self.noisy), default=0.0)
        return self.first / took * longest if took > 0 else 0.0

    def run(
        self,
        entries: list[Entry],
        workers: int,
        tick: Callable[[], None],
        alone: bool = False,
        again: bool = False,
    ) -> None:
        """Grade ENTRIES, WORKERS at a time, and one more beside each run past SLOW seconds while
        the machine has CPU to spare (up to twice WORKERS; ALONE: one at a time); server labs
        first, then the longest time limits. TICK now and then, for the progress display. Each
        run has a sandbox of its own, so two runs of a server lab never share its port."""
        todo = sorted(entries, key=lambda e: (not e.lab.serve, -e.lab.timeout, e.lab.number))
        running: dict[int, tuple[Entry, float]] = {}

        def one(entry: Entry) -> None:
            try:
                self.grade(entry, alone)
                with self.cond:
                    if entry.holds:
                        self.noisy.add(entry.learner)
                    if entry.result and entry.result.exercise.timed_out:
                        self.hung.add(entry.learner)
            except Abort as err:
                with self.cond:
                    self.aborted = self.aborted or str(err)
            finally:
                with self.cond:
                    del running[id(entry)]
                    self.runs += 1
                    self.first += not again
                    self.cond.notify_all()

        cpu = IdleCpu()
        self.session.pool.wanted = max(1, min(workers, len(entries)))  # spares: as many as will run
        while True:
            spare = cpu.share() > SPARE_CPU  # read outside the lock: a file read
            with self.cond:
                now = time.monotonic()
                busy = sum(now - began < SLOW for _, began in running.values())
                # Past WORKERS, a run starts beside the slow ones only while the machine has CPU
                # to spare: slow for waiting (a hang), not for want of CPU, which one more run
                # would only share thinner (and its checks' waits with it).
                room = workers if alone or not spare else workers * 2
                while todo and not self.aborted and busy < workers and len(running) < min(room, workers * 2):
                    entry = todo.pop(self.next_of(todo))
                    # Spares for the runs still to start, no more: each costs a container's life.
                    self.session.pool.wanted = max(1, min(self.session.pool.wanted, len(todo)))
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
