"""The page's data, from real runs (tests/unit/exchanges): which events each check judged, where
the first failing check is marked, and a page that stays one safe, self-contained file."""

import json
import re

import pytest
from recorded_runs import NAMES, lab_result

from lab_runner import labs, page


@pytest.mark.parametrize("name", NAMES)
def test_pins_name_events_of_the_record_and_only_the_first_failing_check_is_marked(name):
    result = lab_result(name)
    pinned = result.decided.pins
    ids = {e["id"] for e in result.exchange["events"]}
    assert set(pinned) == {c.name for c in result.checks}
    assert all(set(events) <= ids for events, _ in pinned.values())
    marked = {name: at for name, (_, at) in pinned.items() if at is not None}
    if result.passed:
        assert not marked
    else:
        assert len(marked) <= 1 and all(at in pinned[n][0] for n, at in marked.items())


@pytest.mark.parametrize(
    ("name", "kind", "says"),
    [("lab3-starter", "send", "*****hello-"),
     ("lab6-starter", "log", "This is what the client sent: hi, this is")],
)  # fmt: skip
def test_the_first_failing_check_is_marked_where_the_evidence_went_another_way(name, kind, says):
    result = lab_result(name)
    (at,) = [at for _, at in result.decided.pins.values() if at is not None]
    event = result.exchange["events"][at]
    assert event["kind"] == kind and says in (event.get("bytes") or event.get("text") or "")


def test_the_page_is_one_file_with_its_data_script_and_style_inline():
    text = page.html(lab_result("lab6-solution"))
    assert "<script src" not in text and "<link" not in text and "<img" not in text
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text)  # the SVG namespace: a name
    data = json.loads(re.search(r'<script type="application/json" id="exchange-data">(.*?)</script>', text,
                                re.S).group(1))  # fmt: skip
    assert data["exchange"]["events"] and {c["name"] for c in data["checks"]}
    assert len(text.encode()) < 300 * 1024


def test_bytes_that_look_like_markup_cannot_end_the_pages_script():
    result = lab_result("lab1-solution")
    send = next(e for e in result.exchange["events"] if e["kind"] == "send")
    send["bytes"] = "</script><script>alert(1)</script><!--"
    text = page.html(result)
    data = re.search(r'id="exchange-data">(.*?)</script>', text, re.S).group(1)
    assert "</script>" not in data and "<!--" not in data
    assert json.loads(data)["exchange"]["events"][send["id"]]["bytes"] == send["bytes"]


def test_a_failing_runs_page_follows_the_report_expected_observed_hint():
    result = lab_result("lab3-starter")
    text = page.html(result)
    first = result.first_failing
    at = [text.index(x) for x in ("<b>expected</b>", "<b>observed</b>", "<b>hint 1/")]
    assert at == sorted(at) and 'class="check fail first"' in text
    assert first.step.hints[0].split("<")[0][:30] in text
    assert "the first difference, at 15" in text  # the two characters rsyslog took for a priority


def test_a_watched_page_looks_for_the_latest_run_beside_it(tmp_path):
    result = lab_result("lab3-solution")
    path = page.write(result, tmp_path / "lab3.html", follow_ms=500)
    assert "lab3.latest.js" in path.read_text()
    assert json.dumps(result.token) in (tmp_path / "lab3.latest.js").read_text()
    assert "latest.js" not in page.write(result, tmp_path / "plain.html").read_text()


def test_the_json_holds_the_exchange_and_the_text_its_ladder_and_the_by_hand_line():
    from lab_runner import report

    result = lab_result("lab1-starter")
    assert report.as_dict(result)["exchange"] is result.exchange
    assert "exchange" not in report.as_dict(result, exchange=False)  # grade: the run's page holds it
    text = report.text(result, page="the exchange as a page: .lab-runs/lab1.html")
    lines = text.splitlines()
    assert any(line.startswith("the exchange (the whole of it") for line in lines)
    assert any(
        line.startswith("reproduce it by hand: docker compose exec workbench python3 -c") for line in lines
    )
    assert lines[-2] == "the exchange as a page: .lab-runs/lab1.html" and lines[-1].startswith(
        "see it yourself"
    )


def test_show_prints_the_pages_url_where_no_browser_can_start(tmp_path, monkeypatch, capsys):
    import argparse

    from lab_runner import commands, labs, latest

    monkeypatch.setenv("LAB_RUNNER_RUNS", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(latest.sys, "platform", "linux")
    with pytest.raises(labs.LabError, match="run it first"):
        commands.cmd_show(argparse.Namespace(lab="lab3"))
    kept = latest.keep(lab_result("lab3-starter"))
    assert kept == tmp_path / "lab3.html"
    assert commands.cmd_show(argparse.Namespace(lab=None)) == 0  # the lab run last
    assert capsys.readouterr().out.strip() == f"no browser to open here; the page is {kept.as_uri()}"


def test_a_check_is_pinned_to_its_own_steps_events_only():
    """Lab 1's starter makes one connection, step 1's: its shutdown() is no step-2 check's."""
    result = lab_result("lab1-starter")
    step2 = [c.name for c in result.checks if c.step == 2]
    assert step2 and all(result.decided.pins[name] == ([], None) for name in step2)
    solved = lab_result("lab1-solution")
    kind = {e["id"]: e for e in solved.exchange["events"]}
    (first, second) = [lane["id"] for lane in solved.exchange["lanes"] if lane["kind"] == "socket"]
    for check in solved.checks:
        lanes = {kind[i]["lane"] for i in solved.decided.pins[check.name][0]} & {first, second}
        assert lanes <= ({first} if check.step == 1 else {second}), check.name


def test_a_check_says_what_it_judged_and_nothing_is_read_from_its_name():
    from lab_runner.judges import judged_by, judges

    @judges("close", "shutdown", lines="chat")
    def test_about_boundaries(calls, chat):  # "boundaries" once read as a bind
        pass

    said = judged_by(test_about_boundaries)
    assert said is not None and said.kinds == {"close", "shutdown"} and said.lines == {"chat"}
    with pytest.raises(ValueError, match="not kinds of event"):
        judges("closed")


@pytest.mark.parametrize("lab", labs.discover(), ids=lambda lab: lab.key)
def test_every_declared_service_is_one_the_check_takes(lab):
    import inspect

    from lab_runner import checks
    from lab_runner.judges import judged_by

    for name, f in checks.load(lab).items():
        said = judged_by(f)
        if said is not None:
            assert said.lines <= set(inspect.signature(f).parameters), f"{lab.key} {name}: @judges(lines=...)"
