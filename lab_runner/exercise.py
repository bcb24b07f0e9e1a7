"""Run a lab's exercise inside the workbench container, with this run's token, under a time limit.

The source goes in on stdin and is compiled under its own file name, so any exercise file on
the host can be run (an instructor grading a submission: `--exercise alice.py`), and a learner's
traceback still names their file and line.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lab_runner import stack

# Runs in the workbench: read the exercise from stdin and run it as __main__ under its own
# name; a crash prints the learner's traceback without this launcher's frame.
LAUNCHER = """
import os, sys, traceback
os.dup2(1, 2)  # one stream, so prints and tracebacks stay in the order they happened
name = sys.argv[1]
source = sys.stdin.read()
sys.argv = [name]
try:
    exec(compile(source, name, "exec"), {"__name__": "__main__", "__file__": name})
except SystemExit:
    raise
except BaseException as err:
    traceback.print_exception(type(err), err, err.__traceback__.tb_next)
    sys.exit(1)
"""
TIMED_OUT = 124  # what coreutils' timeout returns when it had to stop the command


@dataclass
class ExerciseResult:
    """What the exercise did."""

    file: str
    """The exercise as the workbench knows it, e.g. /labs/03_dev_log/exercise.py."""
    exit_code: int
    """The exercise's exit status (124: stopped at the time limit)."""
    output: str
    """Everything it printed, stdout and stderr interleaved."""
    seconds: float
    """Wall time, including `docker compose exec`."""

    @property
    def timed_out(self) -> bool:
        return self.exit_code == TIMED_OUT

    @property
    def problem(self) -> str | None:
        """Why the exercise counts as failed, or None."""
        if self.timed_out:
            return "the exercise did not finish within its time limit and was stopped"
        if self.exit_code != 0:
            return f"the exercise exited with code {self.exit_code}"
        return None


def container_name(path: Path, lab_folder: Path) -> str:
    """Where the exercise appears in the workbench: /labs/NN_slug/file for the shipped one."""
    try:
        return "/labs/" + str(path.resolve().relative_to(lab_folder.resolve().parent))
    except ValueError:
        return path.name


def run(path: Path, lab_folder: Path, token: str, timeout: float) -> ExerciseResult:
    """Run the exercise at PATH (a host file) in the workbench with LAB_TOKEN=TOKEN."""
    try:
        source = path.read_bytes()
    except OSError as err:
        raise stack.StackError(f"cannot read the exercise {path}: {err.strerror}") from err
    name = container_name(path, lab_folder)
    cmd = [
        "docker",
        "compose",
        "-f",
        str(stack.COMPOSE_FILE),
        "exec",
        "-T",
        "-e",
        f"LAB_TOKEN={token}",
        "-w",
        "/labs/" + lab_folder.name,
        "workbench",
        # timeout runs inside the container, so a hung exercise is really stopped there.
        "timeout",
        "-k",
        "2",
        f"{timeout:g}",
        "python3",
        "-u",
        "-c",
        LAUNCHER,
        name,
    ]
    started = time.monotonic()
    try:
        done = subprocess.run(
            cmd,
            input=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=stack.ROOT,
            timeout=timeout + 30,
        )
    except subprocess.TimeoutExpired as err:
        raise stack.StackError(f"'docker compose exec workbench' hung for {timeout + 30:.0f} s") from err
    output = done.stdout.decode("utf-8", "backslashreplace")
    return ExerciseResult(
        file=name, exit_code=done.returncode, output=output, seconds=time.monotonic() - started
    )
