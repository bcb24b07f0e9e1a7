"""The picture tells each lab's lesson, at 1280x800, in a real browser: Playwright drives
Debian's Chromium (`executable_path=shutil.which("chromium")`) over the page of each lab's
solution, run on the real stack, and reads element positions (bounding boxes), not the DOM's text.

- every event of every step's lesson (lab.toml's `lesson`) is drawn, labelled, and in the order
  it happened (its row lower on the page than the one before);
- an expected errno (lab 10's EINPROGRESS, lab 8's ECONNREFUSED) is drawn as what it is, not red;
- with 8 to 12 columns (labs 6, 8 and 9) every server column is on screen, no two column headers
  overlap, and no check's or lesson's label is cut at the window's edge.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lab_runner import labs, page, runs, stack

playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs playwright")
WIDTH, HEIGHT = 1280, 800
LABS = labs.discover()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("no Chromium: ./bootstrap.sh installs Debian's chromium (as root)")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """Each lab's solution and starter, run once on the stack, as its page."""
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for lab in LABS:
        where = stack.require_healthy([*lab.services, "workbench"])
        result = runs.run_one(lab, lab.solution_path, where)
        assert result.passed, result.verdict
        out[lab.key] = page.write(result, folder / f"{lab.key}.html")
        started = runs.run_one(lab, lab.starter_path, where)
        assert started.steps[0].passed, started.verdict  # the starter does the article's experiment
        out[f"{lab.key}-starter"] = page.write(started, folder / f"{lab.key}-starter.html")
    return out


def opened(browser, path: Path):
    tab = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    tab.goto(path.resolve().as_uri())
    tab.wait_for_selector("body[data-drawn]")
    tab.evaluate("document.getElementById('exchange').scrollIntoView()")
    return tab


def box(tab, selector: str) -> dict | None:
    return tab.evaluate(
        "(s) => { const n = document.querySelector(s); if (!n) return null;"
        " const r = n.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }",
        selector,
    )


def boxes(tab, selector: str) -> list[dict]:
    return tab.evaluate(
        "(s) => [...document.querySelectorAll(s)].map((n) => { const r = n.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height, text: n.textContent}; })",
        selector,
    )


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"] - 0.5
        and b["x"] < a["x"] + a["w"] - 0.5
        and (a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5)
    )


CASES = [(lab, which) for lab in LABS for which in ("solution", "starter")]


@pytest.mark.parametrize(("lab", "which"), CASES, ids=[f"{lab.key}-{which}" for lab, which in CASES])
def test_each_lesson_event_is_drawn_labelled_and_in_time_order(lab, which, pages, browser):
    """Every step's lesson for a solution; step 1's (the article's experiment) for a starter."""
    tab = opened(browser, pages[lab.key if which == "solution" else f"{lab.key}-starter"])
    data = json.loads(tab.locator("#exchange-data").text_content())
    for n, step in enumerate(lab.steps if which == "solution" else lab.steps[:1], 1):
        found = [item for item in data["lessons"] if item["step"] == n]
        assert [item["item"] for item in found] == list(step.lesson), f"step {n}: a lesson event is missing"
        rows = []
        for item in found:
            event = item["event"]
            drawn = box(tab, f'g.ev[data-id="{event}"]')
            assert drawn and drawn["w"] > 0 and drawn["h"] > 0, (n, item)
            rows.append(drawn["y"] + drawn["h"] / 2)
            label = f"step {n} lesson {item['n']}/{item['of']}: {item['item']}"
            where = f'[data-part="{event}"] .lesson-label, g.ev[data-id="{event}"] .lesson-label'
            shown = [b for b in boxes(tab, where) if b["w"]]
            assert any(label.startswith(b["text"].removeprefix("◆ ")[:20]) for b in shown), (label, shown)
            assert all(b["x"] >= 0 and b["x"] + b["w"] <= WIDTH for b in shown), shown
        assert rows == sorted(rows), f"step {n}: its lesson's events are not drawn in time order: {found}"
    tab.close()


@pytest.mark.parametrize(("key", "errno"), [("lab10", "EINPROGRESS"), ("lab8", "ECONNREFUSED")])
def test_an_expected_errno_is_drawn_as_what_it_is_not_as_a_red_error(key, errno, pages, browser):
    tab = opened(browser, pages[key])
    colours = tab.evaluate(
        "(errno) => [...document.querySelectorAll('g.ev.kind-error')].filter((g) =>"
        " g.textContent.includes(errno)).map((g) => [g.classList.contains('expected'),"
        " getComputedStyle(g.querySelector('.dot')).fill, g.textContent])",
        errno,
    )
    assert colours, f"no {errno} drawn"
    for expected, fill, text in colours:
        assert expected and fill != "rgb(192, 57, 43)", (fill, text)  # not the error's red
    tab.close()


@pytest.mark.parametrize("key", ["lab6", "lab8", "lab9"])
def test_many_sockets_fit_1280_servers_on_screen_headers_apart_labels_whole(key, pages, browser):
    tab = opened(browser, pages[key])
    # Headers never overlap: the sockets' among themselves, the servers' among themselves (the
    # sockets' scroll under the servers' part, which covers them: that is not an overlap).
    left = boxes(tab, "#ladder g.lane .lane-id, #ladder g.lane .lane-label")
    right = boxes(tab, "#ladder-fixed g.lane .lane-id, #ladder-fixed g.lane .lane-label")
    assert len(left) + len(right) >= 2 * 8, "labs 6, 8 and 9 draw 8 to 12 columns"
    for heads in (left, right):
        for i, a in enumerate(heads):
            for b in heads[i + 1 :]:
                assert not overlap(a, b), (a, b)
    servers = boxes(tab, "g.lane-server .head")
    lab = labs.resolve(key)
    assert len(servers) == len([s for s in lab.services if s != "workbench"])
    for s in servers:
        assert s["x"] >= 0 and s["x"] + s["w"] <= WIDTH, s
    labels = boxes(tab, "#ladder-fixed .pin, #ladder-fixed .lesson-label")
    assert labels
    for b in labels:
        assert b["x"] >= 0 and b["x"] + b["w"] <= WIDTH - 20, b  # whole, inside the page's frame
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlap(a, b), (a, b)
    # The sockets' columns scroll sideways under the fixed servers: the last one can be reached.
    tab.evaluate("document.getElementById('scroll').scrollLeft = 1e6")
    last = boxes(tab, "#ladder g.lane-socket .head")[-1]
    fixed = box(tab, ".fixed")
    assert last["x"] + last["w"] <= fixed["x"] + 1, (last, fixed)
    tab.close()
