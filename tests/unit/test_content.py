"""Lint the lab content (like rustlings' `dev check`): every lab is complete and consistent."""

import ast
import re
import subprocess

import pytest
import yaml

from lab_runner import checks, contract, labs
from lab_runner.stack import COMPOSE_FILE, ROOT

LABS = labs.discover()
IDS = [lab.key for lab in LABS]


def test_there_are_labs_with_unique_numbers_and_names():
    assert LABS, "no labs found"
    assert len({lab.number for lab in LABS}) == len(LABS), "two lab folders share a number"
    assert len({lab.name for lab in LABS}) == len(LABS), "two labs share a name"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_lab_is_complete(lab):
    readme = lab.folder / "README.md"
    assert readme.is_file() and readme.read_text().startswith(f"# Lab {lab.number} · {lab.title}\n"), readme
    for path in (lab.starter_path, lab.solution_path):
        assert path.is_file(), path
        ast.parse(path.read_text(encoding="utf-8"), str(path))
    checks.load(lab)  # every step's checks exist, and every check is in a step
    assert len(lab.steps) >= 2, "a lab is the article's experiment, then at least one step of the learner's"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_every_step_has_a_check_and_a_hint_and_the_starter_marks_the_learners_steps(lab):
    starter = lab.starter_path.read_text(encoding="utf-8")
    for number, step in enumerate(lab.steps, 1):
        assert step.checks and step.hints and all(len(h) > 10 for h in step.hints), f"step {number}"
        if number > 1:
            assert f"YOUR TURN (step {number})" in starter, f"the starter does not mark step {number}"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_git_holds_the_starter_and_never_the_learners_exercise(lab):
    # One copy: the starter is in git, exercise.py is the learner's (made from it on first use),
    # so a `git pull` never conflicts with a learner's work.
    def tracked(path):
        done = subprocess.run(["git", "ls-files", "--error-unmatch", str(path.relative_to(ROOT))],
                              cwd=ROOT, capture_output=True)  # fmt: skip
        return done.returncode == 0

    if not tracked(lab.folder / "lab.toml"):
        pytest.skip("not a git checkout with this lab committed")
    assert tracked(lab.starter_path), f"{lab.starter_path} is not in git"
    assert not tracked(lab.exercise_path), (
        f"{lab.exercise_path} is in git: it is the learner's (git rm --cached)"
    )
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(lab.exercise_path.relative_to(ROOT))], cwd=ROOT
    )
    assert ignored.returncode == 0, ".gitignore does not ignore the learner's exercise.py"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_lab_services_are_defined_in_compose(lab):
    defined = set(yaml.safe_load(COMPOSE_FILE.read_text())["services"])
    assert set(lab.services) <= defined, f"{lab.key} names services compose.yaml lacks"


def test_readme_lab_table_is_in_step_with_labs():
    readme = (ROOT / "README.md").read_text()
    table = re.search(r"<!-- labs:begin -->\n(.*?)<!-- labs:end -->", readme, re.S)
    assert table, "README.md has no <!-- labs:begin --> ... <!-- labs:end --> table"
    rows = [line for line in table.group(1).splitlines() if line.startswith("| [")]
    expected = [
        f"| [{lab.key}](labs/{lab.folder.name}/README.md) | {lab.title} | {len(lab.steps)} "
        f"| {', '.join(lab.services)} |"
        for lab in LABS
    ]
    assert rows == expected, "update README.md's lab table:\n" + "\n".join(expected)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_every_step_of_the_learners_has_its_contract_as_programs(lab):
    programs = contract.programs(lab)  # well named, each mistake saying what it must be told
    for number in range(2, len(lab.steps) + 1):
        variants = [p.path.name for p in programs if p.kind == "pass" and p.step == number]
        mistakes = [p.path.name for p in programs if p.kind == "fail" and p.step == number]
        assert len(variants) >= 3, f"step {number} has {len(variants)} variant(s) that must pass: {variants}"
        assert len(mistakes) >= 2, f"step {number} has {len(mistakes)} mistake(s) that must fail: {mistakes}"
