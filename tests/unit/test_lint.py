"""The project's Python passes ruff (lint and format), so CI fails on what a reviewer would flag."""

import subprocess
import sys

import pytest

from lab_runner.paths import ROOT


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff(args):
    done = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
