"""Run an exercise in a sandbox of its own through lab-run: traced, bounded in time and output.

    with Running(workbench_id, path, lab_folder, token, timeout) as run:
        run.wait()                 # until it ends (or, for a server lab, until it listens)
        ... checks look at run.result(), at run.sandbox (where it ran) and at the containers ...
    run.result()                   # what it printed, its socket calls, what was stopped after

The sandbox (lab_runner/sandbox.py) is a container made from the workbench image for this one
run, and gone once the checks are done.

The source goes in on stdin and runs under its own file name, so any file on the host can be
run (an instructor grading `--exercise alice.py`), and a traceback still names the learner's
file and line. What the exercise prints is kept bounded (its head and its tail), whatever it
prints: lab_runner's memory does not grow with it.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import functools
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab_runner import sandbox, stack
from lab_runner.engine import STDOUT, EngineError
from lab_runner.trace import Trace

TIMED_OUT = 124  # lab-run's code for an exercise stopped at its time limit
STOPPED = 137  # a server lab's exercise, still running when the checks were done
KEEP_BYTES = 16 * 1024  # of the output: this much of its head, and as much of its tail
KEEP_TRACE = (4000, 1000)  # lines of the trace: head, tail
KEEP_PACKETS = 4000  # tcpdump's lines kept (lab-run passes on as many at most)
FLOOD_BYTES = 1024 * 1024  # sent on sockets in one run: more is a flood (lab 9's largest run sends ~130 KB)
FLOOD_SENDS = 10_000  # send calls in one run (labs send a few dozen at most)
GRACE = 2.0  # seconds past the time limit before lab_runner stops waiting for lab-run


class Bounded:
    """The head and the tail of a stream, and how much between them was dropped."""

    def __init__(self, keep: int = KEEP_BYTES) -> None:
        self.keep = keep
        self.head = bytearray()
        self.tail: collections.deque[bytes] = collections.deque()
        self.tail_size = 0
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.keep - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail.append(data[-self.keep :])
            self.tail_size += len(self.tail[-1])
            while self.tail_size - len(self.tail[0]) >= self.keep:
                self.tail_size -= len(self.tail.popleft())

    def skip(self, n: int) -> None:
        """N bytes that lab-run did not pass on (past its own head): they count as dropped."""
        self.total += n
        if self.tail:  # what came before the gap is no longer the tail
            self.tail.clear()
            self.tail_size = 0

    @property
    def dropped(self) -> int:
        return self.total - len(self.head) - min(self.tail_size, self.keep)

    def text(self) -> str:
        tail = b"".join(self.tail)[-self.keep :] if self.tail else b""
        head = self.head.decode("utf-8", "backslashreplace")
        if not self.dropped:
            return head + tail.decode("utf-8", "backslashreplace")
        return (
            head + f"\n[... {self.dropped:,} bytes of output not kept ...]\n"
            + tail.decode("utf-8", "backslashreplace")
        )  # fmt: skip


@dataclass
class ExerciseResult:
    """What the exercise did."""

    file: str
    """The exercise as the workbench knows it, e.g. /labs/03_dev_log/exercise.py."""
    exit_code: int | None
    """Its exit status (124: stopped at the time limit); None while it still runs (a server)."""
    output: str
    """What it printed, stdout and stderr in order, its head and tail if it printed a lot."""
    seconds: float
    trace: list[str] = field(default_factory=list)
    """strace's lines for its socket calls (head and tail if there were very many)."""
    serving: bool = False
    """A server lab's exercise listened on its port, and was checked while it ran."""
    stopped: list[str] = field(default_factory=list)
    """Processes it left running ("pid command"), stopped after the checks."""
    removed: int = 0
    """Files it left in /tmp and /dev/shm, removed after the checks."""
    notes: list[str] = field(default_factory=list)
    """What strace itself said, if anything (a failure to trace, say)."""
    output_dropped: int = 0
    """Bytes of output between the head and the tail that were not kept (a flood)."""
    sent_bytes: int = 0
    """Bytes it sent on its sockets, in all (from the trace, counted in the sandbox)."""
    sends: int = 0
    """Send calls it made on its sockets (sendto, write, ...), in all."""
    started_at: float = 0.0
    """When the run began, in seconds since the epoch (the trace's -ttt and the packets count from it)."""
    packets: list[str] = field(default_factory=list)
    """tcpdump's lines for the run's packets (its sandbox's own network namespace, DNS left out)."""
    capture: str = ""
    """Why there are no packets, when the capture could not run (else empty)."""

    @property
    def flooded(self) -> str | None:
        """What it sent, when that is a flood rather than an exercise (syslog, chat or Flask)."""
        if self.sent_bytes > FLOOD_BYTES or self.sends > FLOOD_SENDS:
            return f"the exercise flooded its sockets: {self.sent_bytes:,} bytes in {self.sends:,} send calls"
        return None

    @property
    def timed_out(self) -> bool:
        return self.exit_code == TIMED_OUT

    @property
    def problem(self) -> str | None:
        """Why the exercise itself counts as failed, or None."""
        if self.timed_out:
            return "the exercise did not finish within its time limit and was stopped"
        if self.flooded:
            return self.flooded
        if self.exit_code in (None, 0) or (self.serving and self.exit_code == STOPPED):
            return None
        return f"the exercise exited with code {self.exit_code}"

    @functools.cached_property
    def calls(self) -> Trace:
        return Trace.parse(self.trace)


def container_name(path: Path, lab_folder: Path) -> str:
    """Where the exercise appears in the workbench: /labs/NN_slug/file for a file of the lab."""
    try:
        return "/labs/" + str(path.resolve().relative_to(lab_folder.resolve().parent))
    except ValueError:
        return path.name


class Running:
    """One exercise run through lab-run in the workbench (a context manager)."""

    sandbox: str = ""
    """The container the exercise runs in: checks look at it as the workbench."""

    def __init__(
        self, workbench: str, path: Path, lab_folder: Path, token: str, timeout: float, serve_port: int = 0
    ) -> None:
        try:
            self.source = path.read_bytes()
        except OSError as err:
            raise stack.StackError(f"cannot read the exercise {path}: {err.strerror}") from err
        self.workbench, self.token, self.timeout, self.serve_port = workbench, token, timeout, serve_port
        self.file = container_name(path, lab_folder)
        self.output = Bounded()
        self.trace_head: list[str] = []
        self.trace_tail: collections.deque[str] = collections.deque(maxlen=KEEP_TRACE[1])
        self.trace_total = 0
        self.notes: list[str] = []
        self.stopped: list[str] = []
        self.removed = 0
        self.sent = (0, 0)
        self.started_at = 0.0
        self.packets: list[str] = []
        self.capture = ""
        self.exit_code: int | None = None
        self.exit_at: float | None = None
        self.serving = False
        self.ready = threading.Event()  # it ended, or it serves
        self.ended = threading.Event()  # lab-run is done (cleanup included)
        self.lock = threading.Lock()
        self.error: str | None = None

    def __enter__(self) -> Running:
        self.started = time.monotonic()
        box = sandbox.claim(self.workbench, self.timeout + 30)
        self.sandbox, self.exec = box.container, box.stream
        header = {
            "name": self.file, "timeout": self.timeout, "serve": self.serve_port, "token": self.token,
            "size": len(self.source), "sha256": hashlib.sha256(self.source).hexdigest(),
        }  # fmt: skip
        try:
            self.exec.write(json.dumps(header).encode() + b"\n" + self.source)
        except EngineError as err:
            self.exec.close()
            raise stack.StackError(f"cannot run the exercise in its sandbox: {err}") from err
        self.reader = threading.Thread(target=self._read, args=(box.first,), daemon=True)
        self.reader.start()
        return self

    def _read(self, partial: bytes) -> None:
        *lines, partial = partial.split(b"\n")  # what lab-run said right after it claimed the sandbox
        for line in lines:
            self._control(line.decode("utf-8", "backslashreplace"))
        try:
            for stream, data in self.exec.frames():
                if stream == STDOUT:
                    with self.lock:
                        self.output.add(data)
                    continue
                lines = (partial + data).split(b"\n")
                partial = lines.pop()[-65536:]
                for line in lines:
                    self._control(line.decode("utf-8", "backslashreplace"))
        except (OSError, EngineError) as err:
            self.error = str(err)
        finally:
            self.ready.set()
            self.ended.set()

    def _control(self, line: str) -> None:
        tag, _, text = line.partition(" ")
        with self.lock:
            if tag == "T":
                self.trace_total += 1
                if len(self.trace_head) < KEEP_TRACE[0]:
                    self.trace_head.append(text)
                else:
                    self.trace_tail.append(text)
            elif tag == "P":
                if len(self.packets) < KEEP_PACKETS:
                    self.packets.append(text)
            elif tag == "E" and len(self.notes) < 20:
                self.notes.append(text)
            elif tag == "C":
                word, _, rest = text.partition(" ")
                if word == "exit":
                    self.exit_code = int(rest)
                    self.exit_at = time.monotonic()
                    self.ready.set()
                elif word == "serving":
                    self.serving = True
                    self.ready.set()
                elif word == "stopped":
                    self.stopped.append(rest)
                elif word == "garbled":
                    self.error = "the exercise's source did not reach its sandbox whole"
                elif word == "started":
                    self.started_at = float(rest)
                elif word == "nocapture":
                    self.capture = rest or "tcpdump did not run"
                elif word == "packets":
                    self.capture = f"{int(rest):,} packets, the first {len(self.packets):,} kept"
                elif word == "removed":
                    self.removed = int(rest)
                elif word == "sent":
                    self.sent = tuple(int(n) for n in rest.split())  # type: ignore[assignment]
                elif word == "skipped":
                    self.output.skip(int(rest))
                elif word == "tail":
                    self.output.add(base64.b64decode(rest))

    def wait(self) -> None:
        """Until the exercise ends, or listens on its port (a server lab); StackError if lab-run hangs."""
        if not self.ready.wait(self.timeout + GRACE):
            raise stack.StackError(f"the sandbox did not stop the exercise within {self.timeout + GRACE:g} s")
        if self.error and self.exit_code is None and not self.serving:
            raise stack.StackError(f"lost the exercise's run in its sandbox: {self.error}")

    def result(self) -> ExerciseResult:
        """What the exercise did, so far (complete once the context has exited)."""
        with self.lock:
            trace = self.trace_head + list(self.trace_tail)
            if self.trace_total > len(trace):
                trace.insert(
                    len(self.trace_head), f"0 [... {self.trace_total - len(trace)} calls not kept ...]"
                )
            return ExerciseResult(
                file=self.file, exit_code=self.exit_code, output=self.output.text(),
                seconds=(self.exit_at or time.monotonic()) - self.started, trace=trace, serving=self.serving,
                stopped=list(self.stopped), removed=self.removed, notes=list(self.notes),
                output_dropped=self.output.dropped, sent_bytes=self.sent[0], sends=self.sent[1],
                started_at=self.started_at, packets=list(self.packets), capture=self.capture,
            )  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        """Tell lab-run the checks are done: it stops what is left and cleans up."""
        with contextlib.suppress(EngineError):
            self.exec.write(b"done\n")
        self.ended.wait(10)
        self.exec.close()
