"""Lint the lab content (like rustlings' `dev check`): every lab is complete and consistent."""

import ast
import re

import pytest
import yaml

from lab_runner import labs
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
    assert readme.is_file() and readme.read_text().startswith(f"# Lab {lab.number} · "), readme
    assert lab.exercise_path.is_file(), lab.exercise_path
    ast.parse(lab.exercise_path.read_text(), str(lab.exercise_path))
    check_files = sorted(lab.checks_dir.glob("test_*.py"))
    assert check_files, f"{lab.checks_dir} has no test_*.py"
    for path in check_files:
        tree = ast.parse(path.read_text(), str(path))
        assert any(isinstance(n, ast.FunctionDef) and n.name.startswith("test_") for n in tree.body), path
    assert all(len(hint) > 10 for hint in lab.hints)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_lab_services_are_defined_in_compose(lab):
    defined = set(yaml.safe_load(COMPOSE_FILE.read_text())["services"])
    assert set(lab.services) <= defined, f"{lab.key} names services compose.yaml lacks"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_checks_look_for_this_runs_token(lab):
    # A check that ignores the token can pass on an earlier run's evidence.
    source = "".join(p.read_text() for p in lab.checks_dir.glob("test_*.py"))
    assert "token" in source or "exercise_output" in source


def test_readme_lab_table_is_in_step_with_labs():
    readme = (ROOT / "README.md").read_text()
    table = re.search(r"<!-- labs:begin -->\n(.*?)<!-- labs:end -->", readme, re.S)
    assert table, "README.md has no <!-- labs:begin --> ... <!-- labs:end --> table"
    rows = [line for line in table.group(1).splitlines() if line.startswith("| [")]
    expected = [
        f"| [{lab.key}](labs/{lab.folder.name}/README.md) | {lab.title} | {', '.join(lab.services)} |"
        for lab in LABS
    ]
    assert rows == expected, "update README.md's lab table:\n" + "\n".join(expected)
