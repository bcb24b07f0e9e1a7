"""python -m lab_runner grade SUBMISSIONS --out RESULTS --swarm: the class, fanned out over a
swarm's nodes (docs/scale-out.md says why it is built so, and what a multi-node swarm needs).

The class is cut into shards of learners, one per ready node. Each shard is a one-task job
service of the grader image (swarm_task.py: a stack of its own on its node, the same Grader as
a local grade), its submissions a swarm config, at most one task per node at a time. Each task
prints every entry once final (swarm_wire.py); the manager follows the tasks' logs, keeps the
first result of each entry (learner, lab), and, when a task ends without all of its entries
(killed, failed, its node lost), starts a new task for exactly the missing ones, elsewhere if
its node is down. The results are written by the same writers as a local grade's.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab_runner import stack
from lab_runner.grade import swarm_engine as swarm
from lab_runner.grade import swarm_image, swarm_wire
from lab_runner.grade.command import Progress, finish, gather, minutes
from lab_runner.grade.entry import Entry
from lab_runner.grade.outputs import Graded, prepare
from lab_runner.paths import atomic_write
from lab_runner.session import Session

ATTEMPTS = 3  # tasks an entry is sent to before it is an error
PAGE = re.compile(r"pages/[\w.-]+/[\w.-]+\.html")  # a page's path as Grader.keep_page names it


@dataclass(eq=False)
class Task:
    """One shard's one attempt: its service, config, entries and what its logs said so far."""

    name: str
    ids: list[int]
    service: str = ""
    config: str = ""
    frames: swarm_wire.Frames = field(default_factory=swarm_wire.Frames)
    reader: threading.Thread | None = None
    logs: object = None
    node: str = ""
    ended: float = 0.0


class Fanout:
    """The class's entries over the swarm, and what came back."""

    def __init__(self, entries: dict[int, Entry], image: str, args: argparse.Namespace) -> None:
        self.entries, self.image, self.args = entries, image, args
        self.run = f"{os.getpid():x}{int(time.time()) % 100000:x}"
        self.results: dict[int, dict] = {}
        self.tries: dict[int, int] = dict.fromkeys(entries, 0)
        self.lock = threading.Lock()
        self.tasks: list[Task] = []
        self.count = 0
        self.sent_again = 0  # entries sent to a second task
        self.here = swarm.this_node()

    def shards(self, ids: list[int], n: int) -> list[list[int]]:
        """IDS in N shards of whole learners, each learner's entries in one shard."""
        by_learner: dict[str, list[int]] = {}
        for i in ids:
            by_learner.setdefault(self.entries[i].learner, []).append(i)
        out: list[list[int]] = [[] for _ in range(max(1, min(n, len(by_learner))))]
        for mine in sorted(by_learner.values(), key=len, reverse=True):
            min(out, key=len).extend(mine)
        return [s for s in out if s]

    def start(self, ids: list[int], avoid: set[str]) -> None:
        data = swarm_wire.shard_config(
            {i: self.entries[i] for i in ids}, self.args.timeout, self.args.parallel
        )
        if len(data) > swarm_wire.CONFIG_MAX and len(ids) > 1:  # a swarm config holds 500 KB
            self.start(ids[: len(ids) // 2], avoid)
            self.start(ids[len(ids) // 2 :], avoid)
            return
        if len(data) > swarm_wire.CONFIG_MAX:
            self.results[ids[0]] = {"error": "too large to send to a swarm task (500 KB a config)"}
            return
        self.count += 1
        task = Task(f"socketlab-grade-{self.run}-{self.count}", ids)
        labels = {"org.socketlab.grade": self.run}
        task.config = swarm.create_config(task.name, data, labels)
        env = [
            f"COMPOSE_PROJECT_NAME={task.name}",
            f"SOCKETLAB_IMAGES={os.environ.get('SOCKETLAB_IMAGES') or 'socketlab'}",
        ]
        task.service = swarm.create_job(
            task.name, self.image, [], env, (task.config, task.name), labels, avoid
        )
        task.logs = swarm.follow_logs(task.service)
        task.reader = threading.Thread(target=self.read, args=(task,), daemon=True)
        task.reader.start()
        for i in ids:
            self.tries[i] += 1
        self.tasks.append(task)

    def read(self, task: Task) -> None:
        """The task's lines as they come: the first final result of an entry wins."""
        for line in task.logs.stdout:  # type: ignore[attr-defined]
            got = task.frames.feed(line)
            if got and got[0] in task.ids:
                with self.lock:
                    self.results.setdefault(got[0], got[1])

    def ended(self, task: Task, ready: list[str]) -> bool:
        """Whether TASK is over (its lines read); if it left entries, they go to a new task."""
        if not task.ended:
            state = swarm.task_of(task.service)
            node = (state or {}).get("NodeID", "")
            lost = bool(node) and node not in ready  # the swarm may call it running for long
            if not state or (state["Status"]["State"] not in swarm.ENDED and not lost):
                return False
            task.ended, task.node = time.monotonic(), node
        # its last lines may still be on their way: wait for the log stream to end, or 5 s
        if (
            task.reader
            and task.reader.is_alive()
            and time.monotonic() - task.ended < 5
            and not task.frames.done
        ):
            return False
        time.sleep(0.3 if task.frames.done else 0)
        task.logs.kill()  # type: ignore[attr-defined]
        swarm.remove("services", [task.service])
        swarm.remove("configs", [task.config])
        self.tasks.remove(task)
        with self.lock:
            missing = [i for i in task.ids if i not in self.results]
        if not task.frames.done:  # its stack is left on its node (and its runs, until it goes)
            self.clean_stale(task.node, task.name)
        left = [i for i in missing if self.tries[i] < ATTEMPTS]
        for i in missing:
            if self.tries[i] >= ATTEMPTS:
                self.results[i] = {
                    "error": f"not graded: {ATTEMPTS} tasks ended without it (docker service logs)"
                }
        if missing:
            print(f"\ngrade: swarm task {task.name} ended with {len(missing)} entries not sent back"
                  f"{'' if task.node in ready else ' (its node is down)'}: {len(left)} go to a new task",
                  file=sys.stderr)  # fmt: skip
        if left:
            self.sent_again += len(left)
            self.start(left, set() if task.node in ready else {task.node})
        return True

    def go(self, tick) -> None:
        todo = [i for i in self.entries]
        nodes = swarm.ready_nodes()
        waiting = self.shards(todo, len(nodes))
        try:
            while waiting or self.tasks:
                ready = swarm.ready_nodes()
                while waiting and len(self.tasks) < max(1, len(ready)):
                    self.start(waiting.pop(0), set())
                for task in list(self.tasks):
                    self.ended(task, ready)
                tick()
                time.sleep(0.25)
        finally:
            for task in self.tasks:
                task.logs.kill()  # type: ignore[attr-defined]
            swarm.remove("services", swarm.labelled("services", f"org.socketlab.grade={self.run}"))
            swarm.remove("configs", swarm.labelled("configs", f"org.socketlab.grade={self.run}"))

    def clean_stale(self, node: str, project: str) -> None:
        """The stack of a task that ended before taking it down, if it is on this node (another
        node's is taken down there: docker compose -p NAME down -v), before its entries run again."""
        if node == self.here:
            stack.compose("-p", project, "down", "-v", "--timeout", "5", timeout=120, check=False)


def keep_page(out: Path, entry: swarm_wire.SentEntry) -> None:
    page = entry.runs[-1].get("page") if entry.runs else None
    if not page or entry.page is None or not PAGE.fullmatch(page):
        if entry.runs:
            entry.runs[-1].pop("page", None)  # no page here: the row says none
        return
    try:
        (out / page).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out / page, entry.page)
    except OSError:
        entry.runs[-1].pop("page", None)


def main(args: argparse.Namespace, session: Session) -> int:
    started = time.monotonic()
    swarm.require_manager()  # one line and exit 2 before anything else
    chosen, learners, entries, warnings = gather(args)
    image = swarm_image.ensure(lambda text: print(text, file=sys.stderr))
    if aside := prepare(args.out):
        print(f"grade: the earlier results in {args.out} were moved to {aside}", file=sys.stderr)
    todo = {i: e for i, e in enumerate(entries) if e.status == "to grade"}
    fan = Fanout(todo, image, args)
    progress = Progress()
    status = lambda: progress.show(  # noqa: E731
        f"grading: {len(learners)} learners, {len(fan.results)}/{len(todo)} runs, "
        f"{len(fan.tasks)} task(s) on the swarm, {fan.sent_again} sent again, "
        f"{minutes(time.monotonic() - started)}"
    )
    if todo:
        fan.go(status)
    progress.clear()
    bug = False
    for i, sent in fan.results.items():
        if "error" in sent:
            entries[i].status, entries[i].reason = "error", sent["error"]
            continue
        entries[i] = swarm_wire.received(entries[i], sent)
        keep_page(args.out, entries[i])
        bug |= entries[i].status == "error" and entries[i].reason.startswith("internal error")
    for e in entries:
        if e.status == "to grade":
            e.status, e.reason = "error", "not graded: no task sent it back"
    again: list[Entry] = [e for e in entries if isinstance(e, swarm_wire.SentEntry) and e.again]
    return finish(args, Graded(learners, chosen, entries, {}, warnings), again, started, None, bug)
