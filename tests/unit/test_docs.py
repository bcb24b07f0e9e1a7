"""The READMEs' "What you should see" blocks are well formed, so docs/capture.py can re-run them."""

import re

import pytest

from lab_runner.stack import ROOT

READMES = [ROOT / "README.md", *sorted(ROOT.glob("labs/*/README.md"))]


@pytest.mark.parametrize("path", READMES, ids=[str(p.relative_to(ROOT)) for p in READMES])
def test_every_capture_comment_is_followed_by_a_text_block(path):
    text = path.read_text(encoding="utf-8")
    for found in re.finditer(r"<!-- capture: (.*?) -->\n(.*)", text):
        assert found.group(2) == "```text", f"{path.name}: '{found.group(1)}' is not followed by ```text"
        known = ("python -m lab_runner ", "docker compose ", "python3 ")
        assert found.group(1).startswith(known), found.group(1)
