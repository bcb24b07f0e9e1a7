"""The learner's progress, kept between runs: each lab's last result and the hints revealed.

One JSON file, .lab-results.json at the repository root (LAB_RUNNER_STATE names another).
Runs of another file (--exercise, --solution) are not the learner's progress and are not kept.
A read-only checkout simply does not remember.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from pathlib import Path

from lab_runner import values
from lab_runner.paths import atomic_write, state_file


def load() -> dict[str, dict]:
    """Each lab's entry, by folder name ({} when there is none yet, or it cannot be read)."""
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(data: dict[str, dict]) -> None:
    with contextlib.suppress(OSError):  # a read-only checkout simply does not remember
        atomic_write(state_file(), json.dumps(data, indent=2))


def fingerprint(path: Path) -> str:
    """Which version of a file a result is for."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def record(
    folder: str,
    *,
    passed: bool,
    steps_passed: int,
    steps_total: int,
    failing_step: int | None,
    token: str,
    exercise: Path,
    steps: list[bool] | None = None,
    hint_texts: list[str] | None = None,
    status: str = "",
    failing_check: str | None = None,
) -> None:
    """Remember a run of the learner's own exercise.py: STEPS, each step passed or not; HINT_TEXTS,
    the failing step's hints for this run (they follow its evidence)."""
    data = load()
    entry = data.get(folder, {})
    hints = entry.get("hints", {}) if isinstance(entry.get("hints"), dict) else {}
    data[folder] = {
        "passed": passed,
        "steps_passed": steps_passed,
        "steps_total": steps_total,
        "failing_step": failing_step,
        "at": time.strftime("%Y-%m-%d %H:%M"),
        "token": token,
        "exercise": fingerprint(exercise),
        "hints": hints,
        "ever_passed": passed or bool(entry.get("ever_passed")),
        "steps": steps or [],
        "hint_texts": hint_texts or [],
        "status": status,
        "failing_check": failing_check,
    }
    _save(data)


def hints_shown(folder: str, step: int) -> int:
    """How many of STEP's hints the learner has asked for (the report shows at least one)."""
    value = load().get(folder, {}).get("hints", {}).get(str(step), 1)
    return value if isinstance(value, int) else 1


def reveal_hint(folder: str, step: int, available: int) -> int:
    """One more of STEP's hints (up to AVAILABLE); how many are revealed now."""
    data = load()
    entry = data.setdefault(folder, {})
    hints = entry.setdefault("hints", {})
    current = hints.get(str(step))
    current = current if isinstance(current, int) and current >= 1 else 1  # the report showed one
    shown = min(current + 1, available)
    hints[str(step)] = shown
    _save(data)
    return shown


def learner_file() -> Path:
    """The learner's name, set once (`python -m lab_runner learner NAME`), beside the progress."""
    return state_file().with_name(".lab-learner")


def learner_name() -> str:
    """Whose values the learner's runs draw: the name set once, else the account's."""
    try:
        return values.checked_name(learner_file().read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError, values.ValuesError):
        return values.default_name()


def set_learner_name(name: str) -> str:
    """Keep NAME as the learner's (ValuesError when it cannot name one); the name it replaces."""
    before = learner_name()
    atomic_write(learner_file(), values.checked_name(name) + "\n")
    return before
