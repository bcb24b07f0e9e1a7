"""Run `python -m lab_runner ...` as a learner would, in a subprocess, and keep what it said."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from lab_runner.paths import ROOT

# The tests' runs are not the learner's: keep their results out of .lab-results.json.
STATE = Path(tempfile.gettempdir()) / f"socketlab-test-results-{os.getpid()}.json"
PAGES = Path(tempfile.gettempdir()) / f"socketlab-test-runs-{os.getpid()}"  # and their pages


def lab_runner(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lab_runner", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "LAB_RUNNER_STATE": str(STATE), "LAB_RUNNER_RUNS": str(PAGES), **(env or {})},
    )  # fmt: skip
