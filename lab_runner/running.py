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
import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lab_runner import sandbox, stack
from lab_runner.bounded import Bounded
from lab_runner.engine import STDOUT, EngineError
from lab_runner.exercise_result import FLOOD_BYTES, FLOOD_SENDS, ExerciseResult
from lab_runner.faults import Fault
from lab_runner.strace_text import failed_short
from lab_runner.trace import SEND

# The trace is kept whole, or the run is judged by no check that needs it (ExerciseResult.trace_cut):
# a middle left out once let 5,000 getsockopt() calls hide lab 2's recv() == 0.
KEEP_TRACE = 20_000  # lines (lab 9's largest run makes ~300; RUNAWAY stops 40,000 sends)
KEEP_TRACE_BYTES = 16 * 1024 * 1024  # and their text (strace shows up to 4 KiB of each buffer)
KEEP_PACKETS = 4000  # tcpdump's lines kept (lab-run passes on as many at most: LIMITS)
# What lab-run is told in the run's header, so that it repeats none of lab_runner's numbers: how
# much output it passes on as it comes and of its end, how many packet lines, and when it stops
# a run early (RUNAWAY: four times the flood limits of exercise_result.py, 16 MiB printed, or
# 2,000 forks refused at its process limit, a fork bomb).
RUNAWAY = {"output": 16 << 20, "bytes": 4 * FLOOD_BYTES, "sends": 4 * FLOOD_SENDS, "failed forks": 2_000}
LIMITS = {"output_head": 256 * 1024, "output_tail": 16 * 1024, "packets": KEEP_PACKETS, "runaway": RUNAWAY}
GRACE = 2.0  # seconds past the time limit before lab_runner stops waiting for lab-run


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
        self,
        workbench: str,
        path: Path,
        lab_folder: Path,
        token: str,
        timeout: float,
        serve_port: int = 0,
        stall: float = 0.0,
        pool: sandbox.Pool | None = None,
        env: dict[str, str] | None = None,
        link: dict[str, int] | None = None,
        faults: tuple[Fault, ...] = (),
    ) -> None:
        self.link = link  # a lossy link, {"port", "drop"} (lab.toml's [link]): lab-run sets it
        self.env = env or {}  # the learner's values, LAB_<KEY> (lab_runner/values.py): lab-run checks each
        self.pool = pool or sandbox.Pool()  # the session's (a test's Running: a pool of its own)
        try:
            self.source = path.read_bytes()
        except OSError as err:
            raise stack.StackError(f"cannot read the exercise {path}: {err.strerror}") from err
        self.workbench, self.token, self.timeout, self.serve_port = workbench, token, timeout, serve_port
        self.file = container_name(path, lab_folder)
        self.faults = faults  # errors strace injects into its calls (faults.py): a fresh strace
        self.output = Bounded()
        self.trace: list[str] = []
        self.trace_total, self.trace_bytes = 0, 0
        self.notes: list[str] = []
        self.stopped: list[str] = []
        self.removed = 0
        self.sent = (0, 0)
        self.runaway = ""
        self.started_at = 0.0
        self.packets: list[str] = []
        self.capture = ""
        self.captured = False
        self.exit_code: int | None = None
        self.exit_at: float | None = None
        self.serving = False
        self.ready = threading.Event()  # it ended, or it serves
        self.ended = threading.Event()  # lab-run is done (cleanup included)
        self.lock = threading.Lock()
        self.error: str | None = None
        self.skipped = ""  # why this machine cannot run the lab (lab-run's "C nolink")
        self.stall, self.stalled, self.last = stall, "", (0.0, "")  # last: (when, the last trace line)

    def __enter__(self) -> Running:
        self.started = time.monotonic()
        box = self.pool.claim(self.workbench, self.timeout + 30)
        self.sandbox, self.exec = box.container, box.stream
        header = {
            "name": self.file,
            "timeout": self.timeout,
            "serve": self.serve_port,
            "token": self.token,
            "size": len(self.source),
            "sha256": hashlib.sha256(self.source).hexdigest(),
            "limits": LIMITS,  # lab-run's numbers are ours: it keeps no copy
            "env": self.env,
            "link": self.link,  # a lossy link (lab 15), set by lab-run before the exercise runs
        }
        if self.faults:  # only then: lab-run restarts its strace for them
            header["faults"] = [f.header() for f in self.faults]
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
        """One line lab-run said: its kind (a tag, or a "C" control word) picks its handler."""
        tag, _, text = line.partition(" ")
        if tag == "C":  # a control line: its first word is its kind
            word, _, text = text.partition(" ")
            handler = CONTROL.get(word)
        else:
            handler = TAGS.get(tag)
        if handler is not None:  # "claimed" is the sandbox's (lab_runner/sandbox.py); others are new
            with self.lock:
                handler(self, text)

    def wait(self) -> None:
        """Until the exercise ends, or listens on its port (a server lab); StackError if lab-run hangs."""
        deadline = time.monotonic() + self.timeout + GRACE
        while not self.ready.wait(0.1):
            if self._stalled():
                return
            if time.monotonic() > deadline:
                raise stack.StackError(f"the sandbox did not stop the exercise in {self.timeout + GRACE:g} s")
        if self.skipped:
            raise stack.Skipped(f"this kernel cannot drop packets at random (nft: {self.skipped})")
        if self.error and self.exit_code is None and not self.serving and not self.stalled:
            raise stack.StackError(f"lost the exercise's run in its sandbox: {self.error}")

    def _stalled(self) -> bool:
        """STALL s and no socket call since a send: no answer comes (strace shows recv() once it returns)."""
        with self.lock:
            at, line = self.last
            name = re.match(r"\d+\s+(?:[\d.]+\s+)?(\w+)\(.*\)\s+=\s+\d", line)  # with -ttt's time too
            if self.stall and name and name.group(1) in SEND and time.monotonic() - at > self.stall:
                self.stalled = name.group(1)
        return bool(self.stalled)

    def result(self) -> ExerciseResult:
        """What the exercise did, so far (complete once the context has exited)."""
        with self.lock:
            return ExerciseResult(
                file=self.file,
                exit_code=self.exit_code,
                output=self.output.text(),
                seconds=(self.exit_at or time.monotonic()) - self.started,
                trace=list(self.trace),
                trace_cut=self.trace_total - len(self.trace),
                serving=self.serving,
                stopped=list(self.stopped),
                removed=self.removed,
                notes=list(self.notes),
                output_dropped=self.output.dropped,
                sent_bytes=self.sent[0],
                sends=self.sent[1],
                runaway=self.runaway,
                stalled=self.stalled,
                started_at=self.started_at,
                packets=list(self.packets),
                capture=self.capture,
                captured=self.captured,
            )

    def __exit__(self, *exc: object) -> None:
        """Tell lab-run the checks are done: it stops what is left and cleans up. A sandbox whose
        lab-run does not end is removed from outside: nothing of a run outlives it."""
        with contextlib.suppress(EngineError):
            self.exec.write(b"done\n")
        ended = self.ended.wait(10)
        self.exec.close()
        if not ended:
            with contextlib.suppress(EngineError, stack.StackError):
                stack.engine().request("DELETE", f"/containers/{self.sandbox}?force=1")


# What lab-run says, one kind per line ("T <strace line>", "C exit 0", ...), and what a run
# makes of it: images/workbench/lab-run is the other end (its say() calls).
def _trace(run: Running, text: str) -> None:
    text = failed_short(text)
    run.trace_total += 1
    run.last = (time.monotonic(), text)
    whole = run.trace_total == len(run.trace) + 1  # nothing dropped before it
    if whole and len(run.trace) < KEEP_TRACE and run.trace_bytes + len(text) <= KEEP_TRACE_BYTES:
        run.trace.append(text)
        run.trace_bytes += len(text)


def _packet(run: Running, text: str) -> None:
    if len(run.packets) < KEEP_PACKETS:
        run.packets.append(text)


def _note(run: Running, text: str) -> None:
    if len(run.notes) < 20:
        run.notes.append(text)


def _exit(run: Running, text: str) -> None:
    run.exit_code, run.exit_at = int(text), time.monotonic()
    run.ready.set()


def _serving(run: Running, text: str) -> None:
    run.serving = True
    run.ready.set()


def _unwalled(run: Running, text: str) -> None:
    run.error = f"the sandbox could not wall itself off from other runs (nft: {text})"


def _garbled(run: Running, text: str) -> None:
    run.error = "the exercise's source did not reach its sandbox whole"


def _sent(run: Running, text: str) -> None:
    run.sent = tuple(int(n) for n in text.split())  # type: ignore[assignment]


Handler = Callable[["Running", str], None]
TAGS: dict[str, Handler] = {
    "T": _trace,  # a line of strace's
    "P": _packet,  # a line of tcpdump's
    "E": _note,  # what lab-run could not do, in words
}
CONTROL: dict[str, Handler] = {  # "C <word> <text>"
    "exit": _exit,
    "serving": _serving,
    "stopped": lambda run, text: run.stopped.append(text),
    "garbled": _garbled,
    "nolink": lambda run, text: setattr(run, "skipped", text or "no numgen"),
    "unwalled": _unwalled,
    "unresolved": lambda run, text: setattr(run, "error", f"the sandbox could not resolve {text}"),
    "runaway": lambda run, text: setattr(run, "runaway", text),
    "started": lambda run, text: setattr(run, "started_at", float(text)),
    "captured": lambda run, text: setattr(run, "captured", True),
    "nocapture": lambda run, text: setattr(run, "capture", text or "tcpdump did not run"),
    "packets": lambda run, text: setattr(
        run, "capture", f"{int(text):,} packets, the first {len(run.packets):,} kept"
    ),
    "removed": lambda run, text: setattr(run, "removed", int(text)),
    "sent": _sent,
    "skipped": lambda run, text: run.output.skip(int(text)),
    "tail": lambda run, text: run.output.add(base64.b64decode(text)),
}
