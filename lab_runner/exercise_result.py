"""What an exercise did in its sandbox, and what that means: the one place that reads lab-run's
exit codes and the trace's facts (processes started, sockets made, a flood) as a verdict's
inputs, for the report, the checks and grade alike."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from lab_runner.trace import Trace

EXIT_TIMED_OUT = 124  # lab-run's code for an exercise stopped at its time limit
EXIT_STOPPED = 137  # a server lab's exercise, still running when the checks were done
FLOOD_BYTES = 1024 * 1024  # sent on sockets in one run: more is a flood (lab 9's largest run sends ~130 KB)
FLOOD_SENDS = 10_000  # send calls in one run (labs send a few dozen at most)


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
    """strace's lines for its socket calls: all of them, or the first ones when trace_cut."""
    trace_cut: int = 0
    """Calls past what was kept (running.KEEP_TRACE): then no check that needs the trace can judge."""
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
    runaway: str = ""
    """Why the sandbox stopped it early, far past what any exercise does ("it printed over 16 MiB")."""
    stalled: str = ""
    """Its last socket call when its checks ran early, silent since (the lab's `stall`): "sendto"."""
    started_at: float = 0.0
    """When the run began, in seconds since the epoch (the trace's -ttt and the packets count from it)."""
    packets: list[str] = field(default_factory=list)
    """tcpdump's lines for the run's packets (its sandbox's own network namespace, DNS left out)."""
    capture: str = ""
    """Why there are no packets, when the capture could not run (else empty)."""
    captured: bool = False
    """Every packet sent before the exercise's own process ended is in `packets` (lab-run's mark,
    sent after that end, came through tcpdump, whose lines lag behind the packets)."""

    @property
    def flooded(self) -> str | None:
        """What it sent, when that is a flood rather than an exercise (syslog, chat or Flask)."""
        if self.sent_bytes > FLOOD_BYTES or self.sends > FLOOD_SENDS:
            return f"the exercise flooded its sockets: {self.sent_bytes:,} bytes in {self.sends:,} send calls"
        return None

    @property
    def timed_out(self) -> bool:
        return self.exit_code == EXIT_TIMED_OUT

    @property
    def stopped_after_checks(self) -> bool:
        """Checked while it ran (a server lab's server, or a run checked once it stalled), then
        stopped once its checks were done: its normal end."""
        return (self.serving or bool(self.stalled)) and self.exit_code == EXIT_STOPPED

    @property
    def killed_by(self) -> int | None:
        """The signal that ended it (lab-run's 128+N, or -N), when nothing of ours sent it: not its
        time limit, not a runaway stop, not a server lab's server stopped after its checks."""
        code = self.exit_code
        if code is None or 0 <= code < 128 or self.timed_out or self.runaway or self.stopped_after_checks:
            return None
        return -code if code < 0 else code - 128

    @property
    def left_running(self) -> int:
        """Processes it left behind, stopped after the checks (not its own, checked while it ran)."""
        return max(0, len(self.stopped) - self.stopped_after_checks)

    @property
    def files_left(self) -> int:
        """Files it left in /tmp and /dev/shm that are not its own Unix sockets."""
        sockets = sum(isinstance(a, str) and a.startswith("/") for a in self.calls.bound())
        return max(0, self.removed - sockets)

    @property
    def untraced(self) -> str | None:
        """What strace said when it could not trace the run at all (the sandbox's fault), or None."""
        said = [n for n in self.notes if n.startswith("strace: ")]
        return said[0] if said and not self.trace else None

    @property
    def problem(self) -> str | None:
        """Why the exercise itself counts as failed, or None."""
        if self.timed_out:
            return "the exercise did not finish within its time limit and was stopped"
        if self.runaway:
            return f"the exercise was stopped early: {self.runaway}"
        if self.flooded:
            return self.flooded
        if self.exit_code in (None, 0) or self.stopped_after_checks:
            return None
        return f"the exercise exited with code {self.exit_code}"

    @functools.cached_property
    def calls(self) -> Trace:
        return Trace.parse(self.trace)
