"""Run `python -m lab_runner ...` as a learner would, in a subprocess, and keep what it said."""

from __future__ import annotations

import os
import subprocess
import sys

from lab_runner.stack import ROOT


def lab_runner(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lab_runner", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )  # fmt: skip
