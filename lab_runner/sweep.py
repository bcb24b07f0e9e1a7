"""Nothing of a run outlives it: the sandboxes no runner will end are removed from outside.

    sweep.sweep(sandbox.LABEL)      # run by every refill (lab_runner/sandbox.py)

Two kinds: a sandbox made but never started (its maker ended between the two requests: a
refill thread of a process that exited; Docker removes a sandbox itself once it has run,
AutoRemove, never one that did not start), and one claimed by a run whose time is long over
(lab-run in it did not end). A claim renames its sandbox with the time by which it must be
gone, so that any later runner's sweep removes it, even when the runner that claimed it is gone.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.parse

from lab_runner import stack
from lab_runner.engine import EngineError

STALE_CREATED = 60  # seconds a sandbox may stay made but not started before it is removed
OVERTIME = 360  # seconds past a claim's own limit before its sandbox is removed, whatever it does


def overdue(name: str, now: float) -> bool:
    """Is NAME a claimed sandbox whose deadline (claim()'s name: ...-sandbox-run-UNTIL-id) passed?

    >>> overdue("/p-sandbox-run-100-ab12", 101.0), overdue("/p-sandbox-spare-ab12", 101.0)
    (True, False)
    """
    _, run, rest = name.partition("-sandbox-run-")
    until = rest.split("-", 1)[0]
    return bool(run) and until.isdigit() and now > int(until)


def sweep(label: str) -> None:
    """Remove this project's sandboxes (labelled LABEL=project) that were made but never
    started, or claimed by a run whose deadline has passed."""
    filters = json.dumps({"label": [f"{label}={stack.project()}"]})
    found = stack.engine().request("GET", "/containers/json?all=1&filters=" + urllib.parse.quote(filters))
    now = time.time()
    for c in found or []:  # type: ignore[union-attr]
        stale = c.get("State") == "created" and now - c["Created"] > STALE_CREATED  # not one starting now
        if stale or overdue(c["Names"][0], now):
            with contextlib.suppress(EngineError):
                stack.engine().request("DELETE", f"/containers/{c['Id']}?force=1")
