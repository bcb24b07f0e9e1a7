"""Per-learner values (lab_runner/values.py): drawn the same for a learner every time, another
for another learner, said in the lab's texts, and refused when lab.toml or a name is malformed."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

from lab_runner import labs, values

ROOT = Path(__file__).resolve().parents[2]
SPEC = values.parse({"port": {"between": [20000, 20999]}, "facility": {"one_of": ["local0", "local5"]}}, "t")


def test_a_learner_gets_the_same_values_every_time_and_however_the_name_is_typed():
    mine = values.of("dev_log", SPEC, "Alice")
    assert mine == values.of("dev_log", SPEC, " alice  ") == values.of("dev_log", SPEC, "ALICE")
    assert 20000 <= mine["port"] <= 20999 and mine["facility"] in ("local0", "local5")


def test_learners_differ_and_labs_differ():
    ports = {values.of("dev_log", SPEC, f"learner{n}")["port"] for n in range(50)}
    assert len(ports) > 40  # 1000 ports, 50 learners: a few may share one, not most
    assert {values.of(lab, SPEC, "alice")["port"] for lab in ("a", "b", "c", "d")} != {1}


def test_values_reach_the_exercise_as_lab_variables_and_the_texts_as_placeholders():
    assert values.environment({"port": 20417, "delimiter": "\n"}) == {
        "LAB_PORT": "20417",
        "LAB_DELIMITER": "\n",
    }
    assert values.render("port {{port}}, {{other}}", {"port": 20417}) == "port 20417, {{other}}"


@pytest.mark.parametrize(
    "table, says",
    [
        ([1], "is a table"),
        ({"Port": {"between": [1, 2]}}, "not lowercase"),
        ({"port": {"between": [2, 1]}}, "low first"),
        ({"port": {"between": [1, "2"]}}, "two integers"),
        ({"port": {"one_of": []}}, "one_of = a list"),
        ({"port": {"one_of": ["a", "a"]}}, "different"),
        ({"port": {"one_of": ["a", 1]}}, "different strings or integers"),
        ({"port": {"pick": [1]}}, "one_of"),
        ({"port": 3}, "one_of"),
    ],
)
def test_a_malformed_values_table_says_what_is_wrong(table, says):
    with pytest.raises(values.ValuesError, match=says):
        values.parse(table, "lab.toml")


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "x" * 65, "tab\there"])
def test_a_name_that_cannot_name_a_learner_is_refused(name):
    with pytest.raises(values.ValuesError, match="one line of 1 to 64"):
        values.checked_name(name)


def write_lab(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "11_framing"
    folder.mkdir()
    (folder / "lab.toml").write_text(
        'name = "framing"\ntitle = "t"\nservices = ["chat"]\n' + body, encoding="utf-8"
    )
    return folder


STEP = "\n".join(
    [
        "[[steps]]",
        'title = "send to {{port}}"',
        'goal = "g {{port}}"',
        'checks = ["test_a"]',
        'hints = ["h {{port}}"]',
        "",
    ]
)


def test_a_lab_says_each_learners_values_in_its_texts(tmp_path):
    lab = labs.load(write_lab(tmp_path, "[values]\nport = { between = [30000, 30000] }\n" + STEP))
    seen = lab.as_seen_by(lab.values_of("bob"))
    assert (seen.steps[0].title, seen.steps[0].goal, seen.steps[0].hints) == (
        "send to 30000",
        "g 30000",
        ("h 30000",),
    )
    assert lab.steps[0].title == "send to {{port}}"  # the lab itself is the same for everyone


def test_a_placeholder_with_no_value_is_a_malformed_lab(tmp_path):
    with pytest.raises(labs.LabError, match="names no key of its"):
        labs.load(write_lab(tmp_path, STEP))


def lab_run():
    path = ROOT / "images" / "workbench" / "lab-run"
    loader = importlib.machinery.SourceFileLoader("lab_run_values", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def test_lab_run_passes_on_only_lab_variables_and_never_the_token():
    passed = lab_run().learners_values(
        {
            "LAB_PORT": "1",
            "LAB_TOKEN": "forged",
            "PATH": "/x",
            "LD_PRELOAD": "/x.so",
            "LAB_X": "a\0b",
            "LAB_N": 3,
        }
    )
    assert passed == {"LAB_PORT": "1"}
    assert lab_run().learners_values(["LAB_PORT"]) == {}


def test_the_learners_name_is_set_once_and_kept(tmp_path, monkeypatch, capsys):
    from lab_runner import cli, state

    monkeypatch.setenv("LAB_RUNNER_STATE", str(tmp_path / "state.json"))
    assert state.learner_name() == values.default_name()
    assert cli.main(["learner", "Alice Liddell"]) == 0
    assert state.learner_name() == "Alice Liddell"
    assert cli.main(["learner"]) == 0 and "Alice Liddell" in capsys.readouterr().out
    assert cli.main(["learner", "a\nb"]) == 2  # a one-line error, the name kept
    assert state.learner_name() == "Alice Liddell"
    assert cli.main(["run", "lab3", "--learner", " "]) == 2
