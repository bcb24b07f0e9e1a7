"""Every view renders one decided result: the text report, the JSON, JUnit, the page and the
state file show the same status, failing check and hints (decision.py decides them, once).

They did not always: on lab 1's starter the terminal said "hint 1/5" and the page "hint 1/3"."""

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from recorded_runs import NAMES, lab_result

from lab_runner import learner, page, report, state
from lab_runner.report import readable


@pytest.mark.parametrize("name", NAMES)
def test_every_view_shows_the_same_status_failing_check_and_hints(name, tmp_path, monkeypatch):
    result = lab_result(name)
    decided = result.decided
    shown = 2
    text = report.text(result, hints_shown=shown)
    doc = json.loads(report.as_json([result]))["labs"][0]
    report.write_junit([result], tmp_path / "junit.xml")
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    body = page.html(result, hints_shown=shown)
    monkeypatch.setenv("LAB_RUNNER_STATE", str(tmp_path / "state.json"))
    learner.remember(result)
    kept = state.load()[result.lab.folder.name]

    # The status line.
    assert text.splitlines()[-1 if not result.lab.look else -2] == decided.status
    assert doc["status"] == props["status"] == kept["status"] == decided.status
    (verdict,) = re.findall(r'<div class="verdict \w+">(.*?)</div>', body)
    assert html.unescape(verdict) == decided.status

    # The failing step and check.
    assert doc["failing_step"] == kept["failing_step"] == decided.failing_step
    assert doc["failing_check"] == kept["failing_check"] == decided.failing_check
    failures = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    firsts = re.findall(r'<li class="check fail first" data-check="(\w+)"', body)
    if decided.failing_check is None:
        assert not firsts and "hint 1/" not in text and "hint 1/" not in body
        return
    assert firsts == [decided.failing_check] and decided.failing_check in failures
    assert f"FAIL  {readable(decided.failing_check)}" in text

    # The hints: as many, in the same order, with the same count, in every view.
    labels = decided.hint_lines(shown)
    assert labels, "a failing step shows at least one hint"
    told = re.findall(r"<b>(hint \d+/\d+)</b>([^<]*)", body)
    assert [label for label, _ in told] == [label for label, _ in labels]
    for (label, hint), (_, on_page) in zip(labels, told, strict=True):
        assert f"{label}: " in text and html.unescape(on_page) == hint
    assert kept["hint_texts"] == doc["hints"] == list(decided.hints)
    step = doc["steps"][decided.failing_step - 1]
    assert step["hint"] == decided.hints[0]
    (case,) = [c for c in suite.iter("testcase") if c.get("name") == decided.failing_check]
    assert f"hint: {decided.hints[0]}" in case.find("failure").text
