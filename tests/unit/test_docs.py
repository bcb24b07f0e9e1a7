"""The READMEs' "What you should see" blocks are well formed, so docs/capture.py can re-run them."""

import re

import pytest

from lab_runner.paths import ROOT

READMES = [ROOT / "README.md", *sorted(ROOT.glob("labs/*/README.md"))]


@pytest.mark.parametrize("path", READMES, ids=[str(p.relative_to(ROOT)) for p in READMES])
def test_every_capture_comment_is_followed_by_a_text_block(path):
    text = path.read_text(encoding="utf-8")
    for found in re.finditer(r"<!-- capture: (.*?) -->\n(.*)", text):
        assert found.group(2) == "```text", f"{path.name}: '{found.group(1)}' is not followed by ```text"
        known = ("python -m lab_runner ", "docker compose ", "python3 ")
        assert found.group(1).startswith(known), found.group(1)


# Numbers a lab README's prose may state as facts: protocol and configuration figures, and what
# the articles themselves printed (61811: the second article's client port), not a run's.
# 12346-12348: the ports labs 12 and 13 serve on (lab.toml and the exercise fix them).
FIXED = {
    "12345",
    "65507",
    "65508",
    "65527",
    "65535",
    "65536",
    "32768",
    "60999",
    "40000",
    "70000",
    "61811",
    "12346",
    "12347",
    "12348",
}
EXAMPLE = re.compile(r"\be\.g\.|\bfor example\b|\bsay\b", re.IGNORECASE)


@pytest.mark.parametrize("path", READMES[1:], ids=[str(p.relative_to(ROOT)) for p in READMES[1:]])
def test_a_runs_numbers_in_the_prose_come_from_a_captured_run_or_are_marked_as_examples(path):
    """A port, pid or inode in the prose is in a captured block of the same README, or the
    text just before it says it is an example (e.g. ...): runs differ, a stale figure misleads."""
    text = path.read_text(encoding="utf-8")
    blocks = " ".join(re.findall(r"```.*?```", text, re.S))
    prose = re.sub(r"<!--.*?-->", "", re.sub(r"```.*?```", "", text, flags=re.S), flags=re.S)
    stale = []
    for found in re.finditer(r"(?<![\w./:-])\d{5,}(?![\w])", prose):
        number, before = found.group(), prose[max(0, found.start() - 200) : found.start()]
        marked = EXAMPLE.search(before.rsplit("\n\n", 1)[-1])  # said earlier in its paragraph
        if number in FIXED or number in blocks or marked:
            continue
        stale.append(f"{number}: ...{' '.join(before.split())[-80:]}")
    assert not stale, f"{path.name}: numbers from a run that no captured block shows: {stale}"
