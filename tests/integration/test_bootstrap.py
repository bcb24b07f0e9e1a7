"""The bootstrap is idempotent, and says clearly when it cannot proceed."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from lab_runner.paths import ROOT

BOOTSTRAP = ROOT / "bootstrap.sh"


@pytest.mark.parametrize("args", [[], ["--test"]], ids=["lab", "test"])
def test_a_second_run_does_nothing_and_says_so(args):
    # The README's commands (and .ci/run: --test) have run it once already; this is the second
    # run of each, and what --test installed is more than the lab alone asks for.
    done = subprocess.run([BOOTSTRAP, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "nothing to do" in done.stdout
    assert "installing" not in done.stdout and "starting" not in done.stdout


def test_an_unknown_argument_is_one_clear_line_and_exit_2():
    done = subprocess.run([BOOTSTRAP, "--tests"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "unknown argument --tests" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to become nobody")
def test_not_root_and_no_engine_is_one_clear_line_and_exit_2():
    # pytest's tmp_path is private to root; nobody needs a folder it can read.
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)
        copy = Path(folder) / "bootstrap.sh"
        shutil.copy(BOOTSTRAP, copy)
        done = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(copy)],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": os.environ["PATH"], "DOCKER_HOST": "unix:///nonexistent/docker.sock"},
        )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "no Docker engine answers" in done.stderr and "Traceback" not in done.stderr
