"""The exchange page in a real browser: headless Chromium (Debian's `chromium`, which
./bootstrap.sh installs) loads the page of each lab's solution and starter, and the DOM its
script drew holds the lanes and arrows the run's exchange record holds.

They skip only where no Chromium can be installed (a host that is not Debian), never under
CI=true.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from runner import lab_runner

from lab_runner import labs, latest, runs, stack

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless as root, with the network closed: no sandbox, GPU, QUIC or background traffic.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
EVENT = re.compile(
    r'<g class="ev([^"]*)" data-id="(\d+)" data-kind="(\w+)" data-lane="([^"]*)" data-from="([^"]*)" '
    r'data-to="([^"]*)" data-flags="([^"]*)">(.*?)</g>',
    re.S,
)
LANE = re.compile(r'<g class="lane lane-(\w+)" data-lane="([^"]*)">')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def browser() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true and no Chromium: ./bootstrap.sh installs Debian's chromium (as root)")
    if Path("/etc/debian_version").exists():
        pytest.fail("no Chromium on this Debian host: run ./bootstrap.sh as root (it installs chromium)")
    pytest.skip("no Chromium, and this host is not Debian (./bootstrap.sh installs it on Debian only)")


def dom(page: Path, budget_ms: int = 3000) -> str:
    """The page's DOM once its script ran (it draws at load; 3 s of virtual time is plenty)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [browser(), *FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
             "--dump-dom", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout


def drawn(text: str) -> tuple[dict[str, str], dict[int, dict]]:
    lanes = {lane: kind for kind, lane in LANE.findall(text)}
    events = {}
    for css, n, kind, lane, src, dst, flags, inner in EVENT.findall(text):
        title = TITLE.search(inner)
        events[int(n)] = {"css": css, "kind": kind, "lane": lane, "from": src, "to": dst, "flags": flags,
                          "title": html.unescape(title.group(1)) if title else ""}  # fmt: skip
    return lanes, events


def run_page(lab: labs.Lab, which: str, folder: Path) -> tuple[dict, dict[str, str], dict[int, dict]]:
    page = folder / f"{lab.key}-{which}.html"
    chosen = ["--solution"] if which == "solution" else ["--exercise", str(lab.starter_path)]
    done = lab_runner(lab.key, *chosen, "--json", "--html", str(page))
    assert done.returncode in (0, 1), done.stderr
    record = json.loads(done.stdout)["labs"][0]["exchange"]
    lanes, events = drawn(dom(page))
    return record, lanes, events


CASES = [(lab, which) for lab in labs.discover() for which in ("solution", "starter")]


@pytest.mark.parametrize(("lab", "which"), CASES, ids=[f"{lab.key}-{which}" for lab, which in CASES])
def test_the_drawn_page_holds_the_lanes_and_arrows_of_the_record(lab, which, tmp_path):
    record, lanes, events = run_page(lab, which, tmp_path)
    assert "error" not in record, record.get("error")
    assert lanes == {lane["id"]: lane["kind"] for lane in record["lanes"]}
    assert set(events) == {e["id"] for e in record["events"]}
    for e in record["events"]:
        shown = events[e["id"]]
        assert (shown["kind"], shown["lane"]) == (e["kind"], e["lane"])
        assert (shown["from"], shown["to"]) == (e.get("from") or "", e.get("to") or "")
        assert shown["flags"] == (e.get("flags") or "")
    if lab.number == 1:
        token = next(e for e in record["events"] if e["kind"] == "send")["bytes"].removeprefix("hello-")[:17]
        assert any(e["kind"] == "connect" and e["to"] == "flask" for e in events.values())
        assert any(e["kind"] == "send" and f"hello-{token}" in e["title"] for e in events.values())
        flags = {e["flags"] for e in events.values() if e["kind"] == "packet"}
        assert {"SYN", "SYN-ACK", "PSH-ACK"} <= flags
        assert any(e["lane"] == "flask" and "Bad request syntax" in e["title"] for e in events.values())
    if lab.number == 3:
        assert any(e["kind"] == "send" and e["to"] == "rsyslog" for e in events.values())
        assert any(
            e["lane"] == "rsyslog" and e["kind"] == "log" and "hello" in e["title"] for e in events.values()
        )
        assert "wire" not in lanes  # a Unix datagram has no packets
    if lab.number == 6 and which == "solution":
        clients = [lane for lane, kind in lanes.items() if kind == "peer"]
        assert len(clients) >= 2  # the checks' clients A and B, among others
        relayed = [e for e in events.values() if e["kind"] == "send" and "A says" in e["title"]]
        assert relayed and relayed[0]["to"] in clients  # the learner's server passed A's line to B
        assert sum(e["kind"] == "accept" for e in events.values()) >= 2
        assert any(e["lane"] == "chat" and "Accepted connection" in e["title"] for e in events.values())


def test_a_failing_run_marks_its_first_failing_check_at_an_event(tmp_path):
    record, _, events = run_page(labs.resolve("lab3"), "starter", tmp_path)
    text = (tmp_path / "lab3-starter.html").read_text()
    assert 'class="check fail first"' in text
    marked = [n for n, e in events.items() if " bad" in e["css"]]
    assert marked and record["events"][marked[0]]["kind"] == "send"  # the bare datagram, no header


def test_a_failing_step_with_no_events_of_its_own_marks_none_of_another_steps(tmp_path):
    """Lab 1's starter makes step 1's connection only: its shutdown() is no step-2 check's."""
    _, _, events = run_page(labs.resolve("lab1"), "starter", tmp_path)
    text = (tmp_path / "lab1-starter.html").read_text()
    assert 'class="check fail first"' in text and "no event matched this check" in text
    assert not [n for n, e in events.items() if " bad" in e["css"]]


def test_a_watched_page_reloads_itself_when_a_new_run_lands(tmp_path, monkeypatch):
    """`watch` keeps <lab>.latest.js beside the page, naming the latest run; the open page
    loads it from file:// every so often, and reloads when it names another run."""
    monkeypatch.setenv("LAB_RUNNER_RUNS", str(tmp_path))
    lab = labs.resolve("lab3")
    result = runs.run_one(lab, lab.solution_path, stack.require_healthy(["rsyslog", "workbench"]))
    page = latest.keep(result, follow=True)
    script = tmp_path / "lab3.latest.js"
    assert page == tmp_path / "lab3.html" and result.token in script.read_text()
    # Another run lands (twice, then this one again): the page reloads itself each time.
    script.write_text(  # each page that loads it counts itself once (sessionStorage outlives a reload)
        "const b = document.body; if (!b.dataset.seen) { b.dataset.seen = 1;"
        " sessionStorage.pages = (+sessionStorage.pages || 0) + 1; b.dataset.pages = sessionStorage.pages; }"
        f' labRunLatest(+sessionStorage.pages < 3 ? "lab3-another00000" : {json.dumps(result.token)});\n'
    )
    assert 'data-pages="3"' in dom(page, budget_ms=8000)


def test_the_reports_by_hand_line_sends_the_same_bytes_again(flask):
    """The text report's "reproduce it by hand" command, run as the learner would: Flask logs
    the run's bytes once more."""
    done = lab_runner("lab1", "--exercise", str(labs.resolve("lab1").starter_path))
    line = next(
        (x for x in done.stdout.splitlines() if x.startswith("reproduce it by hand: ")),
        done.stdout + done.stderr,
    )
    token = re.search(r"hello-(lab1-[0-9a-f]{12})", line).group(1)
    before = len(flask.check_output(f"grep -aF -- {token} /var/log/flask/flask.log").splitlines())
    again = subprocess.run(line.removeprefix("reproduce it by hand: "), shell=True, capture_output=True,
                           text=True, timeout=60)  # fmt: skip
    assert again.returncode == 0 and "400" in again.stdout, again.stderr
    after = flask.check_output(f"grep -aF -- {token} /var/log/flask/flask.log").splitlines()
    assert len(after) == before + 2 and f"Bad request syntax ('hello-{token}')" in after[-2]


def test_grade_keeps_each_runs_page_beside_the_results_and_names_it(tmp_path):
    lab = labs.resolve("lab3")
    mine = tmp_path / "submissions" / "ada" / lab.folder.name
    mine.mkdir(parents=True)
    (mine / "exercise.py").write_bytes(lab.starter_path.read_bytes())
    out = tmp_path / "results"
    done = lab_runner("grade", str(tmp_path / "submissions"), "--out", str(out), "--labs", "lab3")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads((out / "grades.json").read_text())["results"]
    assert row["page"] == row["runs"][-1]["page"] and row["page"].startswith("pages/ada/03_dev_log-lab3-")
    text = (out / row["page"]).read_text()
    assert row["token"] in text and 'id="exchange-data"' in text


def test_clicking_an_arrow_shows_its_bytes(tmp_path):
    record, _, _ = run_page(labs.resolve("lab1"), "solution", tmp_path)
    send = next(e for e in record["events"] if e["kind"] == "send")
    page = tmp_path / "lab1-solution.html"
    click = (  # what a learner's click does, then the details it shows, where the DOM dump sees them
        "<script>window.addEventListener('load', function () {"
        f" const g = document.querySelector('#ladder g.ev[data-id=\"{send['id']}\"]');"
        " g.dispatchEvent(new Event('click'));"
        " document.body.dataset.details = document.getElementById('details').textContent; });</script>"
    )
    page.write_text(page.read_text().replace("</body>", click + "</body>"))
    shown = html.unescape(re.search(r'data-details="([^"]*)"', dom(page)).group(1))
    assert f"#{send['id']} send" in shown and send["bytes"] in shown and "flask" in shown
