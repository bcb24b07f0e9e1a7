"""A lab's `stall`: the checks run once the exercise has made no socket call for that long after
a send (lab 1: a line without its line end waits in recv() for Flask's 10 s idle timeout)."""

import threading
import time

import pytest

from lab_runner import labs
from lab_runner.exercise_result import ExerciseResult
from lab_runner.running import Running

SENT = '7 sendto(3<socket:[81]>, "hello-tok", 9, 0, NULL, 0) = 9'


def running(stall, line, ago):
    run = object.__new__(Running)  # only what _stalled() reads: no sandbox
    run.lock, run.stall, run.stalled, run.last = threading.Lock(), stall, "", (time.monotonic() - ago, line)
    return run


def test_silence_after_a_send_longer_than_the_stall_is_a_stall():
    assert running(4.0, SENT, ago=4.5)._stalled()
    assert running(4.0, SENT.replace("7 ", "7 1701450000.123456 ", 1), ago=4.5)._stalled()  # strace -ttt
    assert running(4.0, SENT, ago=4.5).stalled == ""  # set by _stalled(), not before
    assert not running(4.0, SENT, ago=1.0)._stalled()


def test_no_stall_after_a_receive_or_a_wait_nor_for_a_lab_without_one():
    assert not running(4.0, '7 recvfrom(3<socket:[81]>, "", 9, 0, NULL, NULL) = 0', ago=9)._stalled()
    assert not running(
        4.0, "7 poll([{fd=3<socket:[81]>, events=POLLIN}], 1, 5000 <unfinished ...>", 9
    )._stalled()
    assert not running(0.0, SENT, ago=60)._stalled()


def test_a_stalled_run_stopped_after_its_checks_is_not_a_crash():
    stopped = ExerciseResult(file="x.py", exit_code=137, output="", seconds=4.5, stalled="sendto")
    assert stopped.problem is None
    assert ExerciseResult(file="x.py", exit_code=137, output="", seconds=4.5).problem


@pytest.mark.parametrize("value", ["3", -1, 30, True])
def test_stall_must_be_seconds_below_the_timeout(tmp_path, value):
    folder = tmp_path / "01_x"
    folder.mkdir()
    stall = f'"{value}"' if isinstance(value, str) else str(value).lower()
    (folder / "lab.toml").write_text(
        f'name = "x"\ntitle = "X"\nconcepts = ["c"]\nservices = ["flask"]\ntimeout = 20\nstall = {stall}\n'
        '[[steps]]\ntitle = "t"\ngoal = "g"\nchecks = ["test_a"]\nhints = ["h"]\n'
    )
    with pytest.raises(labs.LabError, match="'stall' must be seconds"):
        labs.load(folder)
