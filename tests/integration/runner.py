"""Run `python -m lab_runner ...` as a learner would, in a subprocess, and keep what it said."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from lab_runner.paths import ROOT

# The tests' runs are not the learner's: keep their results out of .lab-results.json.
STATE = Path(tempfile.gettempdir()) / f"socketlab-test-results-{os.getpid()}.json"
PAGES = Path(tempfile.gettempdir()) / f"socketlab-test-runs-{os.getpid()}"  # and their pages


def _env(more: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "LAB_RUNNER_STATE": str(STATE), "LAB_RUNNER_RUNS": str(PAGES), **(more or {})}


def lab_runner(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lab_runner", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=_env(env),
    )  # fmt: skip


def start_lab_runner(*args: str) -> subprocess.Popen:
    """lab_runner(ARGS), started: the test does something while it runs, then communicate()s."""
    return subprocess.Popen(
        [sys.executable, "-m", "lab_runner", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip


def why_failed(stdout: str) -> str:
    """For each lab `run --all` printed as FAIL, its failing checks and their reasons, read from
    the page the run left (a failure under load is then told, not only counted)."""
    said = []
    for key in re.findall(r"^FAIL\s+(lab\d+)\s", stdout, re.M):
        try:
            page = (PAGES / f"{key}.html").read_text()
            data = json.loads(re.search(r'id="exchange-data">(.*?)</script>', page, re.S).group(1))
        except (OSError, AttributeError, ValueError) as err:
            said.append(f"{key}: no page to tell why ({err})")
            continue
        failed = [c for c in data.get("checks", []) if not c.get("passed")]
        said += [f"{key} {c.get('name')}: {c.get('reason')}" for c in failed]
    return "\n".join(said)
