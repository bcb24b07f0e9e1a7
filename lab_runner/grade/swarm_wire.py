"""What goes between `grade --swarm` and its tasks: a shard's submissions in (a swarm config),
each finished entry out as framed lines on the task's stdout, which the manager reads back from
the service's logs and turns into an Entry the outputs write as they write a local one.

    SOCKETLAB-ENTRY <id> <part> <parts> <base64 of zlib of JSON>

A line stays below 16 KB (the log driver splits longer ones), so a big entry (its page) is sent
in parts; the manager takes an entry only once all its parts are in. Only the grader writes to
its stdout: a learner's output is data inside the JSON, never a line of its own.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from types import SimpleNamespace

from lab_runner import report
from lab_runner.grade.entry import Entry

TAG = "SOCKETLAB-ENTRY"
DONE = "SOCKETLAB-DONE"  # the task's last line: every entry of its shard was sent
PART = 12000  # characters of base64 per line: the line stays below the log driver's 16 KB
CONFIG_MAX = 480 * 1024  # a swarm config holds at most 500 KB


def pack(data: object) -> str:
    return base64.b64encode(zlib.compress(json.dumps(data).encode(), 6)).decode()


def unpack(text: str | bytes) -> object:
    return json.loads(zlib.decompress(base64.b64decode(text)))


def shard_config(entries: dict[int, Entry], timeout: float | None, parallel: int) -> bytes:
    """A shard's submissions, as the task reads them: each entry's id, learner, lab and source."""
    files = [
        {"id": i, "learner": e.learner, "lab": e.lab.key, "source": e.file.read_text(encoding="utf-8")}
        for i, e in entries.items()
        if e.file is not None
    ]
    return pack({"entries": files, "timeout": timeout, "parallel": parallel}).encode()


def as_lines(number: int, entry: Entry, again: bool, page: str | None) -> list[str]:
    """ENTRY, graded, as the framed lines the task prints (PAGE: its run's page, or None)."""
    r = entry.result
    first = r.first_failing if r else None
    sent = {
        "learner": entry.learner,
        "lab": entry.lab.key,
        "status": entry.status,
        "reason": entry.reason,
        "runs": entry.runs,
        "span": entry.span,
        "again": again,
        "page": page,
        "result": r
        and {
            "token": r.token,
            "seconds": r.seconds,
            "passed": r.passed,
            "steps_passed": r.steps_passed,
            "failing_step": r.failing_step,
            "first_failing": first and [first.number, first.step.title],
            "output": r.exercise.output,
            "report": report.as_dict(r, exchange=False),
        },
    }
    return frame(number, sent)


def frame(number: int, data: object) -> list[str]:
    """DATA as the lines of entry NUMBER, each below the log driver's 16 KB."""
    text = pack(data)
    parts = [text[i : i + PART] for i in range(0, len(text), PART)] or [""]
    return [f"{TAG} {number} {n} {len(parts)} {part}" for n, part in enumerate(parts, 1)]


def sent_result(r: dict) -> SimpleNamespace:
    """What the outputs read of a run's LabResult, as the task sent it."""
    first = r["first_failing"]
    return SimpleNamespace(
        token=r["token"],
        seconds=r["seconds"],
        passed=r["passed"],
        steps_passed=r["steps_passed"],
        steps_total=r["report"]["steps_total"],
        failing_step=r["failing_step"],
        first_failing=first and SimpleNamespace(number=first[0], step=SimpleNamespace(title=first[1])),
        exercise=SimpleNamespace(output=r["output"]),
        report=r["report"],
    )


@dataclass(eq=False)
class SentEntry(Entry):
    """An entry graded by a task: what it sent, read back; the outputs write it as a local one."""

    again: bool = False
    page: str | None = None

    def report(self) -> dict | None:
        return self.result.report if self.result else None


def received(entry: Entry, sent: dict) -> SentEntry:
    """ENTRY (as collected here) with the grade its task SENT."""
    r = sent["result"]
    return SentEntry(
        entry.learner,
        entry.lab,
        entry.file,
        sent["status"],
        sent["reason"],
        sent_result(r) if r else None,  # type: ignore[arg-type]
        sent["runs"],
        tuple(sent["span"]),  # type: ignore[arg-type]
        again=sent["again"],
        page=sent["page"],
    )


@dataclass
class Frames:
    """The parts of the entries one task's log has shown so far, and the entries whole."""

    parts: dict[int, dict[int, str]] = field(default_factory=dict)
    done: bool = False

    def feed(self, line: str) -> tuple[int, dict] | None:
        """One line of the task's output: (id, the entry) once its last part is in, else None."""
        if line.startswith(DONE):
            self.done = True
            return None
        fields = line.split(" ", 4)
        if len(fields) != 5 or fields[0] != TAG:
            return None  # not ours (compose's or lab_runner's messages on stderr, a cut line)
        try:
            number, n, total = int(fields[1]), int(fields[2]), int(fields[3])
        except ValueError:
            return None
        got = self.parts.setdefault(number, {})
        got[n] = fields[4].strip()
        if len(got) < total:
            return None
        text = "".join(got[i] for i in range(1, total + 1) if i in got)
        del self.parts[number]
        try:
            return number, unpack(text)  # type: ignore[return-value]
        except (ValueError, zlib.error):
            return None  # a part lost: the entry is missing, and graded again
