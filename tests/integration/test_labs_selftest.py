"""Every lab passes with its shipped exercise and fails with one that does nothing (rustlings' dev check)."""

import pytest
from runner import lab_runner

from lab_runner import labs

LABS = labs.discover()


@pytest.mark.parametrize("lab", LABS, ids=[lab.key for lab in LABS])
def test_the_shipped_exercise_passes(lab):
    done = lab_runner(lab.key)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"PASS: {lab.key}" in done.stdout


@pytest.mark.parametrize("lab", LABS, ids=[lab.key for lab in LABS])
def test_a_do_nothing_exercise_fails_with_the_hint(lab, tmp_path):
    nothing = tmp_path / "nothing.py"
    nothing.write_text('print("I do nothing")\n')
    done = lab_runner(lab.key, "--exercise", str(nothing))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"FAIL: {lab.key}" in done.stdout
    assert f"hint: {lab.hints[0]}" in done.stdout
    # Every check must fail: one that passes without the exercise checks nothing.
    assert "PASS  " not in done.stdout, done.stdout
