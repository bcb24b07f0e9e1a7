"""Running checks, judging a run and reporting it, without the stack: fake labs, real code."""

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lab_runner import checks, report, stack, verdict
from lab_runner.checks import CheckResult
from lab_runner.exercise_result import ExerciseResult
from lab_runner.labs import Lab, Step

TRACE = [
    "7 socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 3",
    '7 connect(3, {sa_family=AF_UNIX, sun_path="/dev/log"}, 11) = 0',
    '7 sendto(3, "<14>x tok-1", 11, 0, NULL, 0) = 11',
]


def make_lab(folder: Path, steps: list[tuple[str, list[str]]], source: str | None = None) -> Lab:
    (folder / "checks").mkdir(parents=True, exist_ok=True)
    if source is not None:
        (folder / "checks" / "test_it.py").write_text(source)
    return Lab(
        number=3, name="dev_log", title="A datagram", services=("rsyslog",),
        steps=tuple(Step(t, f"goal of {t}", tuple(c), (f"hint for {t}", "second hint")) for t, c in steps),
        timeout=5, folder=folder, look="grep {token} /var/log/syslog",
    )  # fmt: skip


def ran(exit_code: int = 0, output: str = "sent <x>\n") -> ExerciseResult:
    return ExerciseResult(file="/labs/03_dev_log/exercise.py", exit_code=exit_code, output=output,
                          seconds=0.1, trace=TRACE)  # fmt: skip


def test_no_check_files_is_an_error_never_a_pass(tmp_path):
    with pytest.raises(checks.ChecksError, match="has no test_"):
        checks.run(make_lab(tmp_path, [("s", ["test_a"])]), "tok", ran(), {})


def test_a_check_file_without_check_functions_is_an_error(tmp_path):
    with pytest.raises(checks.ChecksError, match="no check functions"):
        checks.run(make_lab(tmp_path, [("s", ["test_a"])], "X = 1\n"), "tok", ran(), {})


def test_checks_that_do_not_import_are_an_error(tmp_path):
    with pytest.raises(checks.ChecksError, match="do not load"):
        checks.run(make_lab(tmp_path, [("s", ["test_a"])], "import no_such_module_here\n"), "tok", ran(), {})


def test_a_check_in_no_step_and_a_step_naming_no_check_are_errors(tmp_path):
    source = "def test_a():\n    pass\ndef test_b():\n    pass\n"
    with pytest.raises(checks.ChecksError, match="in no step of lab.toml: test_b"):
        checks.run(make_lab(tmp_path, [("s", ["test_a"])], source), "tok", ran(), {})
    with pytest.raises(checks.ChecksError, match="names checks that do not exist: test_c"):
        checks.run(make_lab(tmp_path, [("s", ["test_a", "test_b", "test_c"])], source), "tok", ran(), {})


def test_outcomes_reasons_and_what_the_checks_are_given(tmp_path):
    source = (
        "def test_token(token):\n    assert token == 'tok-1'\n"
        "def test_calls(calls, exercise):\n"
        "    assert calls.of('AF_UNIX')[0].peer == '/dev/log' and exercise.exit_code == 0\n"
        "def test_with_message():\n    assert 1 == 2, 'one is not two'\n"
        "def test_bare():\n    x = 3\n    assert x == 4\n"
        "def test_crash():\n    [][0]\n"
    )
    lab = make_lab(
        tmp_path,
        [("one", ["test_token", "test_calls"]), ("two", ["test_with_message", "test_bare", "test_crash"])],
        source,
    )
    results = {r.name: r for r in checks.run(lab, "tok-1", ran(), {})}
    assert results["test_token"].passed and results["test_calls"].passed
    assert [r.step for r in results.values()] == [1, 1, 2, 2, 2]
    assert results["test_with_message"].reason == "one is not two"
    assert results["test_bare"].reason == "assert x == 4 (test_it.py:9)"
    assert not results["test_crash"].passed and results["test_crash"].reason.startswith("IndexError")
    assert not any(r.environment for r in results.values())


def test_a_service_the_lab_does_not_name_is_the_environments_fault(tmp_path):
    lab = make_lab(tmp_path, [("s", ["test_a"])], "def test_a(chat):\n    pass\n")
    (result,) = checks.run(lab, "tok", ran(), {})
    assert not result.passed and result.environment


def sample(tmp_path: Path, passed: list[bool], exit_code: int = 0) -> verdict.LabResult:
    lab = make_lab(tmp_path / "03_dev_log", [("one", ["test_a"]), ("two", ["test_b"])])
    outcome = [CheckResult("test_a", 1, passed[0], "" if passed[0] else "no line"),
               CheckResult("test_b", 2, passed[1], "" if passed[1] else "observed \x1b[31mred")]  # fmt: skip
    return verdict.LabResult(lab=lab, token="lab3-abc", exercise=ran(exit_code), checks=outcome, seconds=0.5)


def test_judge_blames_the_environment_only_when_it_is_unwell(tmp_path):
    good, bad = sample(tmp_path, [True, True]), sample(tmp_path, [True, False])
    calls = []

    def unwell():
        calls.append(1)
        raise stack.StackError("service 'rsyslog' is exited")

    assert verdict.judge(good.lab, "t", good.exercise, good.checks, unwell).passed and not calls
    with pytest.raises(stack.StackError, match="exited"):
        verdict.judge(bad.lab, "t", bad.exercise, bad.checks, unwell)
    assert not verdict.judge(bad.lab, "t", bad.exercise, bad.checks, lambda: None).passed
    env = [CheckResult("test_a", 1, False, "cannot run a command in rsyslog", environment=True)]
    with pytest.raises(stack.StackError, match="test_a: cannot run") as raised:
        verdict.judge(bad.lab, "t", bad.exercise, env, lambda: None)
    assert str(raised.value).endswith(f"or run '{stack.UP_COMMAND}' if this repeats")


def test_an_exercise_that_fails_fails_the_lab_and_says_so_even_when_checks_pass(tmp_path):
    result = sample(tmp_path, [True, True], exit_code=3)
    assert not result.passed
    assert result.verdict == "FAIL: lab3 (the exercise exited with code 3; 2 of 2 steps passed)"
    assert sample(tmp_path, [True, False]).verdict == "FAIL: lab3 (1 of 2 steps passed; step 2 is next)"
    assert sample(tmp_path, [True, True]).verdict == "PASS: lab3 (all 2 steps)"


def test_text_report_details_only_the_first_failing_step_with_its_hints_so_far(tmp_path):
    text = report.text(sample(tmp_path, [True, False]), hints_shown=2)
    assert "step 1  PASS  one" in text and "step 2  FAIL  two" in text
    assert "expected: goal of two" in text and "observed: observed \\x1b[31mred" in text
    assert "hint 1/2: hint for two" in text and "hint 2/2: second hint" in text
    assert "hint for one" not in text
    assert text.splitlines()[-1] == "see it yourself: grep lab3-abc /var/log/syslog"
    first_fails = report.text(sample(tmp_path, [False, False]))
    assert "hint 1/2: hint for one" in first_fails and "hint for two" not in first_fails
    assert "(the next hint: python -m lab_runner hint lab3)" in first_fails


def test_the_hint_shown_is_the_first_failing_checks_own_then_the_steps_in_text_json_and_junit(tmp_path):
    sampled = sample(tmp_path, [True, False])
    two = dataclasses.replace(sampled.lab.steps[1], check_hints=(("test_b", ("b's own hint",)),))
    lab = dataclasses.replace(sampled.lab, steps=(sampled.lab.steps[0], two))
    result = verdict.judge(lab, sampled.token, sampled.exercise, sampled.checks, lambda: None)
    assert "hint 1/3: b's own hint" in report.text(result)
    assert json.loads(report.as_json([result]))["labs"][0]["steps"][1]["hint"] == "b's own hint"
    report.write_junit([result], tmp_path / "j.xml")
    assert "hint: b's own hint" in (tmp_path / "j.xml").read_text()


def test_text_report_shows_the_socket_calls_and_escapes_control_characters(tmp_path):
    result = sample(tmp_path, [True, True])
    result.exercise.output = "hi \x1b[2J there\n"
    text = report.text(result)
    assert "  | hi \\x1b[2J there" in text and "\x1b" not in text
    assert '  sendto(3, "<14>x tok-1", 11, 0, NULL, 0) = 11' in text


def test_json_document_carries_the_steps(tmp_path):
    doc = json.loads(report.as_json([sample(tmp_path, [True, True]), sample(tmp_path, [True, False])]))
    assert doc["passed"] is False and [lab["passed"] for lab in doc["labs"]] == [True, False]
    steps = doc["labs"][1]["steps"]
    assert [(s["number"], s["passed"], s["hint"]) for s in steps] == [
        (1, True, None),
        (2, False, "hint for two"),
    ]
    assert steps[1]["checks"] == [
        {"name": "test_b", "passed": False, "reason": "observed \x1b[31mred", "environment": False}
    ]
    assert doc["labs"][1]["steps_passed"] == 1 and doc["labs"][1]["steps_total"] == 2


def test_junit_xml_parses_whatever_the_output_holds(tmp_path):
    result = sample(tmp_path, [True, False], exit_code=1)
    result.exercise.output = "colour \x1b[31m, nul \x00, bell \x07\n"
    path = tmp_path / "out.xml"
    report.write_junit([result], path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite.get("name") == "03_dev_log" and suite.get("tests") == "3" and suite.get("failures") == "2"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["test_b"].get("classname") == "03_dev_log.step2"
    assert "colour \\x1b[31m, nul \\x00, bell \\x07" in cases["exercise"].find("system-out").text
    assert "hint: hint for two" in cases["test_b"].find("failure").text


def test_a_checks_host_knows_it_runs_linux_and_asks_the_rest_once():
    from lab_runner.hosts import LinuxInfo

    asked = []
    info = LinuxInfo(lambda: asked.append(1) or {"type": "linux", "distribution": "debian", "arch": "x86_64"})
    assert info["type"] == "linux" and not asked  # host.file() asks only this: no command
    assert info["distribution"] == "debian" and info["arch"] == "x86_64" and asked == [1]
