"""The latest run's page of each lab, kept at .lab-runs/<lab>.html (git ignores it; the
folder LAB_RUNNER_RUNS names instead, if set), and how to open it (`python -m lab_runner show
[LAB]`, commands.cmd_show). A read-only checkout keeps no page, as it keeps no progress.

    keep(result)          # after a learner's run: .lab-runs/lab1.html, the path returned
    open_page(path)       # the browser, or the file:// URL where there is none
"""

from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path

from lab_runner import labs, page
from lab_runner.paths import runs_dir
from lab_runner.verdict import LabResult

FOLLOW_MS = 1000  # how often a page of `watch` looks for a newer run of its lab


def path_of(lab: labs.Lab) -> Path:
    return runs_dir() / f"{lab.key}.html"


def keep(result: LabResult, hints_shown: int = 1, follow: bool = False) -> Path | None:
    """Write RESULT's page as its lab's latest (None if it cannot be written); FOLLOW (watch):
    an open page reloads itself once the next run lands."""
    try:
        return page.write(result, path_of(result.lab), hints_shown, FOLLOW_MS if follow else 0)
    except OSError:
        return None


def shown_path(path: Path) -> str:
    """PATH as the learner would type it: relative to the checkout when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def can_open() -> bool:
    """Whether a graphical browser can be started here (a terminal browser would take the
    terminal over; on Linux without a display there is none)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_page(path: Path) -> str:
    """Open PATH in a browser where there is one; what to tell the learner."""
    url = path.resolve().as_uri()
    if can_open() and webbrowser.open(url):
        return f"opened {url}"
    return f"no browser to open here; the page is {url}"
