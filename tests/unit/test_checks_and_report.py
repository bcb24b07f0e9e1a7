"""Running checks and reporting results, without the stack: pytest's own machinery, for real."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lab_runner import checks, report
from lab_runner.checks import CheckResult
from lab_runner.exercise import ExerciseResult
from lab_runner.labs import Lab


def write_checks(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_it.py").write_text(source)
    return folder


def test_no_check_files_is_an_error_never_a_pass(tmp_path):
    with pytest.raises(checks.ChecksError, match="has no test_"):
        checks.run(tmp_path, "tok", "")


def test_a_check_file_without_check_functions_is_an_error(tmp_path):
    with pytest.raises(checks.ChecksError, match="no check functions"):
        checks.run(write_checks(tmp_path, "X = 1\n"), "tok", "")


def test_checks_that_do_not_import_are_an_error(tmp_path):
    with pytest.raises(checks.ChecksError, match="do not load"):
        checks.run(write_checks(tmp_path, "import no_such_module_here\n"), "tok", "")


def test_outcomes_reasons_token_and_output_reach_the_checks(tmp_path):
    source = (
        "import pytest\n"
        "def test_token(token):\n    assert token == 'tok-1'\n"
        "def test_output(exercise_output):\n    assert 'Hello' in exercise_output\n"
        "def test_with_message():\n    assert 1 == 2, 'one is not two'\n"
        "def test_bare():\n    x = 3\n    assert x == 4\n"
        "def test_skip():\n    pytest.skip('no')\n"
    )
    results = {r.name: r for r in checks.run(write_checks(tmp_path, source), "tok-1", "Hello World!")}
    assert results["test_token"].passed and results["test_output"].passed
    assert results["test_with_message"].reason == "one is not two"
    assert results["test_bare"].reason.startswith("assert 3 == 4")
    assert not results["test_skip"].passed and "may not skip" in results["test_skip"].reason
    assert not any(r.environment for r in results.values())


def test_the_same_check_file_name_in_two_labs_does_not_clash(tmp_path):
    a = write_checks(tmp_path / "01_a" / "checks", "def test_a():\n    assert True\n")
    b = write_checks(tmp_path / "02_b" / "checks", "def test_b():\n    assert False, 'b fails'\n")
    assert [r.passed for r in checks.run(a, "t", "")] == [True]
    assert [r.reason for r in checks.run(b, "t", "")] == ["b fails"]


def sample(passed: bool) -> report.LabResult:
    lab = Lab(
        number=3, name="dev_log", title="A datagram", concepts=("c",), services=("rsyslog",),
        exercise="exercise.py", hints=("look at /dev/log",), timeout=5, folder=Path("labs/03_dev_log"),
        look="grep {token} /var/log/syslog",
    )  # fmt: skip
    ran = ExerciseResult(file="/labs/03_dev_log/exercise.py", exit_code=0, output="sent <x>\n", seconds=0.1)
    outcome = [CheckResult("test_a", True), CheckResult("test_b", passed, "" if passed else "no line")]
    return report.LabResult(lab=lab, token="lab3-abc", exercise=ran, checks=outcome, seconds=0.5)


def test_text_report_shows_each_check_and_the_hint_on_failure():
    text = report.text(sample(False))
    assert "FAIL  test_b" in text and "no line" in text and "hint: look at /dev/log" in text
    assert "PASS: lab3" in report.text(sample(True)) and "hint:" not in report.text(sample(True))
    assert text.splitlines()[-1] == "see it yourself: grep lab3-abc /var/log/syslog"


def test_json_document(tmp_path):
    doc = json.loads(report.as_json([sample(True), sample(False)]))
    assert doc["passed"] is False
    assert [lab["passed"] for lab in doc["labs"]] == [True, False]
    assert doc["labs"][1]["checks"][1] == {
        "name": "test_b",
        "passed": False,
        "reason": "no line",
        "environment": False,
    }
    assert doc["labs"][1]["hints"] == ["look at /dev/log"] and doc["labs"][0]["hints"] == []


def test_junit_xml_has_a_testcase_per_check_and_the_exercise(tmp_path):
    path = tmp_path / "out.xml"
    report.write_junit([sample(False)], path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite.get("name") == "03_dev_log" and suite.get("tests") == "3" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"exercise", "test_a", "test_b"}
    failure = cases["test_b"].find("failure")
    assert failure.get("message") == "no line" and "hint: look at /dev/log" in failure.text
    assert cases["test_a"].find("failure") is None
