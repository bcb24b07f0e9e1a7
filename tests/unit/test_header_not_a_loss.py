"""A header is not a loss (labs 3 and 4): rsyslog reads a datagram's <PRI> header and keeps the
message after it, so that message is what its line is diffed against; the header is shown as
read (<132> = local0.warning), and a caret only where bytes really differ. A passing run shows
no red difference; lab 3's bare stars (no header: two of them taken for one) still differ."""

import re

import pytest
from recorded_runs import lab_result, record

from lab_runner import page
from lab_runner.log_links import syslog_header


def test_the_header_is_read_as_facility_and_severity():
    assert syslog_header("<132>lab3: hi") == ("<132>", "local0.warning", "lab3: hi")
    assert syslog_header("<14>lab4[17]: hi\\x00") == ("<14>", "user.info", "lab4[17]: hi")
    assert syslog_header("*****hello*****") is None and syslog_header("<999>x") is None


@pytest.mark.parametrize("name", ["lab3-solution", "lab4-solution"])
def test_a_datagram_with_a_header_is_heard_just_as_sent(name):
    rec, _ = record(name)
    headed = [e["diff"] for e in rec["events"] if e.get("diff", {}).get("header")]
    assert headed and all(d["at"] is None and d["sent"] == d["heard"] for d in headed)
    assert "local0.warning" in {d["read"] for d in headed}


@pytest.mark.parametrize("name", ["lab3-solution", "lab4-solution"])
def test_a_passing_runs_page_shows_no_red_difference(name):
    text = page.html(lab_result(name))
    assert 'class="caret bad"' not in text
    assert re.search(
        r"just as sent \(after the header the server read: [^)]*&lt;132&gt; = local0\.warning", text
    )


def test_the_bare_stars_still_differ_where_rsyslog_took_two_for_a_header():
    text = page.html(lab_result("lab3-solution"))
    assert '<span class="caret seen">' in text and "the first difference, at 15" in text
    starter = page.html(lab_result("lab3-starter"))  # failing: its step 2 never sent a header
    assert "the first difference, at 15" in starter
