"""Every lab, both ways (rustlings' `dev check`, and a grader's worst case):

- the reference solution.py passes every step;
- the shipped starter passes step 1 (the article's experiment) and fails a later step, showing
  that step's first hint;
- a do-nothing exercise fails every check;
- a forgery, a file that prints exactly what a passing run printed (with the new run's token),
  fails every check: no check believes the printout.
"""

import json
import re

import pytest
from runner import lab_runner

from lab_runner import contract, labs

LABS = labs.discover()
IDS = [lab.key for lab in LABS]


def run_json(*args: str) -> dict:
    done = lab_runner(*args, "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)["labs"][0]


def checks_of(doc: dict) -> list[dict]:
    return [check for step in doc["steps"] for check in step["checks"]]


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_solution_passes_every_step(lab):
    done = lab_runner(lab.key, "--solution")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"PASS: {lab.key} (all {len(lab.steps)} steps)" in done.stdout


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_starter_passes_step_1_and_fails_later_with_that_steps_hint(lab):
    done = lab_runner(lab.key, "--exercise", str(lab.starter_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"step 1  PASS  {lab.steps[0].title}" in done.stdout, done.stdout
    failing = next(n for n, step in enumerate(lab.steps, 1) if f"step {n}  FAIL" in done.stdout)
    assert failing > 1
    step = lab.steps[failing - 1]
    # The hint follows the evidence: the first failing check's own, an error's, or the step's first.
    shown = re.search(r"^    hint 1/\d+: (.*)$", done.stdout, re.MULTILINE)
    assert shown, done.stdout
    own = [h for _, hints in step.check_hints for h in hints]
    assert shown.group(1) in (step.hints[0], *own) or re.match(
        r"\w+\(\) = -1 E|\w+\(\) returned 0", shown.group(1)
    )


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_do_nothing_exercise_fails_every_check(lab, tmp_path):
    nothing = tmp_path / "nothing.py"
    nothing.write_text('print("I do nothing")\n')
    doc = run_json(lab.key, "--exercise", str(nothing))
    passed = [c["name"] for c in checks_of(doc) if c["passed"]]
    assert not passed, f"these checks pass for an exercise that does nothing: {passed}"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_forgery_of_a_passing_runs_output_fails_every_check(lab, tmp_path):
    good = run_json(lab.key, "--solution")
    assert good["passed"], good
    forged = tmp_path / "forged.py"
    forged.write_text(
        "import os, sys\n"
        f"OUTPUT = {good['exercise']['output']!r}\n"
        f"sys.stdout.write(OUTPUT.replace({good['token']!r}, os.environ['LAB_TOKEN']))\n"
    )
    doc = run_json(lab.key, "--exercise", str(forged))
    passed = [c["name"] for c in checks_of(doc) if c["passed"]]
    assert not passed, f"these checks believe a forged printout: {passed}"


# --- each lab's contract: variants that must pass, mistakes that must fail at their own step -----

PROGRAMS = [(lab, p) for lab in LABS for p in contract.programs(lab)]


@pytest.mark.parametrize(
    ("lab", "program"), PROGRAMS, ids=[f"{lab.key}-{p.path.stem}" for lab, p in PROGRAMS]
)
def test_the_labs_contract(lab, program):
    doc = run_json(lab.key, "--exercise", str(program.path))
    steps = doc["steps"]
    said = {
        s["number"]: [f"{c['name']}: {c['reason']}" for c in s["checks"] if not c["passed"]] for s in steps
    }
    earlier = {n: said[n] for n in range(1, program.step) if said[n]}
    assert not earlier, f"{program.path.name}: an earlier step fails: {earlier}"
    if program.kind == "pass":
        assert not said[program.step], f"{program.path.name}: a correct program fails: {said[program.step]}"
        return
    assert said[program.step], f"{program.path.name}: the mistake passes step {program.step}"
    assert any(program.says in reason for reason in said[program.step]), (
        f"{program.path.name}: step {program.step} fails without naming the mistake ({program.says!r}):"
        f" {said[program.step]}"
    )
