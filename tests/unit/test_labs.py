"""Lab discovery, name resolution and lab.toml validation (no Docker needed)."""

from pathlib import Path

import pytest

from lab_runner import labs

GOOD = """\
name = "{slug}"
title = "A title"
concepts = ["a concept"]
services = ["flask"]
timeout = 5

[[steps]]
title = "The experiment"
goal = "It arrives."
checks = ["test_it_arrives"]
hints = ["a hint"]

[[steps]]
title = "Your turn"
goal = "It arrives whole."
checks = ["test_whole", "test_tagged"]
hints = ["look", "the answer"]
"""


def make_lab(root: Path, folder: str, text: str | None = None) -> Path:
    path = root / folder
    path.mkdir(parents=True)
    slug = folder.split("_", 1)[1] if "_" in folder else folder
    (path / "lab.toml").write_text(GOOD.format(slug=slug) if text is None else text)
    return path


@pytest.fixture
def three(tmp_path: Path) -> list[labs.Lab]:
    for folder in ("03_dev_log", "01_raw_bytes", "02_http_by_hand"):
        make_lab(tmp_path, folder)
    (tmp_path / "notes").mkdir()  # a folder without lab.toml is not a lab
    return labs.discover(tmp_path)


def test_discover_finds_labs_by_glob_in_number_order(three):
    assert [lab.folder.name for lab in three] == ["01_raw_bytes", "02_http_by_hand", "03_dev_log"]
    assert [lab.key for lab in three] == ["lab1", "lab2", "lab3"]


@pytest.mark.parametrize(
    "text", ["lab3", "3", "03", "LAB3", "lab03", "03_dev_log", "dev_log", "labs/03_dev_log/"]
)
def test_resolve_accepts_every_way_of_naming_a_lab(three, text):
    assert labs.resolve(text, three).folder.name == "03_dev_log"


@pytest.mark.parametrize("text", ["lab4", "0", "dev", "", "lab", "3.0"])
def test_resolve_unknown_lists_the_valid_labs_in_one_line(three, text):
    with pytest.raises(labs.LabError) as err:
        labs.resolve(text, three)
    message = str(err.value)
    assert "\n" not in message
    assert "lab1 (01_raw_bytes), lab2 (02_http_by_hand), lab3 (03_dev_log)" in message


def test_lab_fields_come_from_lab_toml(three):
    lab = three[0]
    assert (lab.number, lab.name, lab.title, lab.timeout) == (1, "raw_bytes", "A title", 5.0)
    assert lab.services == ("flask",) and lab.serve == 0
    assert [(s.title, s.checks, s.hints) for s in lab.steps] == [
        ("The experiment", ("test_it_arrives",), ("a hint",)),
        ("Your turn", ("test_whole", "test_tagged"), ("look", "the answer")),
    ]
    assert lab.exercise_path == lab.folder / "exercise.py"
    assert lab.starter_path == lab.folder / ".starter.py" and lab.solution_path == lab.folder / "solution.py"


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        (lambda t: t.replace('name = "dev_log"', 'name = "other"'), "does not match the folder"),
        (lambda t: t.replace('hints = ["a hint"]', "hints = []"), "step 1: 'hints' must be a non-empty list"),
        (
            lambda t: t.replace('hints = ["a hint"]', 'hints = [" "]'),
            "step 1: 'hints' must be a non-empty list",
        ),
        (lambda t: t.replace('["test_whole", "test_tagged"]', "[]"), "step 2: 'checks' must be"),
        (
            lambda t: t.replace('"test_whole", ', '"test_it_arrives", '),
            "test_it_arrives belong to more than one",
        ),
        (lambda t: t.replace('goal = "It arrives."\n', ""), "step 1: 'goal' must be a non-empty string"),
        (
            lambda t: t.replace('goal = "It arrives."', 'goal = "x"\ncolor = 1'),
            "step 1: unknown key(s) color",
        ),
        (lambda t: t.split("[[steps]]")[0], "a lab needs [[steps]]"),
        (lambda t: t.replace("timeout = 5", "timeout = 5\nserve = 70000"), "'serve' must be a TCP port"),
        (lambda t: t.replace('title = "A title"\n', ""), "'title' must be a non-empty string"),
        (lambda t: t.replace("timeout = 5", "timeout = 0"), "'timeout' must be"),
        (lambda t: t.replace("timeout = 5", 'timeout = "5"'), "'timeout' must be"),
        (lambda t: "colour = 1\n" + t, "unknown key(s) colour"),
        (lambda t: t + "this is not toml\n", "not valid TOML"),
        (lambda t: t.replace("timeout = 5", 'exercise = "x.py"\ntimeout = 5'), "unknown key(s) exercise"),
    ],
)
def test_a_malformed_lab_toml_is_one_clear_error(tmp_path, edit, complaint):
    make_lab(tmp_path, "03_dev_log", edit(GOOD.format(slug="dev_log")))
    with pytest.raises(labs.LabError, match="lab.toml") as err:
        labs.discover(tmp_path)
    assert complaint in str(err.value)


def test_a_badly_named_folder_is_refused(tmp_path):
    make_lab(tmp_path, "3_Dev-Log")
    with pytest.raises(labs.LabError, match="NN_slug"):
        labs.discover(tmp_path)


def test_no_labs_is_an_empty_list_and_resolve_says_so(tmp_path):
    assert labs.discover(tmp_path) == []
    with pytest.raises(labs.LabError, match="labs/ is empty"):
        labs.resolve("lab1", [])
