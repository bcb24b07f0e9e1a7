"""Run an exercise in the workbench through lab-run: traced, bounded in time and output, cleaned up.

    with Running(workbench_id, path, lab_folder, token, timeout) as run:
        run.wait()                 # until it ends (or, for a server lab, until it listens)
        ... checks look at run.result() and at the containers ...
    run.result()                   # what it printed, its socket calls, what was stopped after

The source goes in on stdin and runs under its own file name, so any file on the host can be
run (an instructor grading `--exercise alice.py`), and a traceback still names the learner's
file and line. What the exercise prints is kept bounded (its head and its tail), whatever it
prints: lab_runner's memory does not grow with it.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab_runner import stack
from lab_runner.engine import STDOUT, EngineError
from lab_runner.trace import Trace

TIMED_OUT = 124  # lab-run's code for an exercise stopped at its time limit
STOPPED = 137  # a server lab's exercise, still running when the checks were done
KEEP_BYTES = 16 * 1024  # of the output: this much of its head, and as much of its tail
KEEP_TRACE = (4000, 1000)  # lines of the trace: head, tail
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

    @property
    def timed_out(self) -> bool:
        return self.exit_code == TIMED_OUT

    @property
    def problem(self) -> str | None:
        """Why the exercise itself counts as failed, or None."""
        if self.timed_out:
            return "the exercise did not finish within its time limit and was stopped"
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

    def __init__(
        self, workbench: str, path: Path, lab_folder: Path, token: str, timeout: float, serve_port: int = 0
    ) -> None:
        try:
            self.source = path.read_bytes()
        except OSError as err:
            raise stack.StackError(f"cannot read the exercise {path}: {err.strerror}") from err
        self.workbench, self.token, self.timeout, self.serve_port = workbench, token, timeout, serve_port
        self.workdir = "/labs/" + lab_folder.name
        self.file = container_name(path, lab_folder)
        self.output = Bounded()
        self.trace_head: list[str] = []
        self.trace_tail: collections.deque[str] = collections.deque(maxlen=KEEP_TRACE[1])
        self.trace_total = 0
        self.notes: list[str] = []
        self.stopped: list[str] = []
        self.removed = 0
        self.exit_code: int | None = None
        self.exit_at: float | None = None
        self.serving = False
        self.ready = threading.Event()  # it ended, or it serves
        self.ended = threading.Event()  # lab-run is done (cleanup included)
        self.lock = threading.Lock()
        self.error: str | None = None

    def __enter__(self) -> Running:
        cmd = ["lab-run", self.file, f"{self.timeout:g}"] + (
            [str(self.serve_port)] if self.serve_port else []
        )
        self.started = time.monotonic()
        try:
            self.exec = stack.engine().open_exec(
                self.workbench, cmd, env={"LAB_TOKEN": self.token}, workdir=self.workdir, stdin=True,
                timeout=self.timeout + 30,
            )  # fmt: skip
            self.exec.write(b"%d\n" % len(self.source) + self.source)
        except EngineError as err:
            raise stack.StackError(f"cannot run the exercise in the workbench: {err}") from err
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self

    def _read(self) -> None:
        partial = b""
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
                elif word == "removed":
                    self.removed = int(rest)

    def wait(self) -> None:
        """Until the exercise ends, or listens on its port (a server lab); StackError if lab-run hangs."""
        if not self.ready.wait(self.timeout + GRACE):
            raise stack.StackError(
                f"the workbench did not stop the exercise within {self.timeout + GRACE:g} s"
            )
        if self.error and self.exit_code is None and not self.serving:
            raise stack.StackError(f"lost the exercise's run in the workbench: {self.error}")

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
                output_dropped=self.output.dropped,
            )  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        """Tell lab-run the checks are done: it stops what is left and cleans up."""
        with contextlib.suppress(EngineError):
            self.exec.write(b"done\n")
        self.ended.wait(10)
        self.exec.close()
