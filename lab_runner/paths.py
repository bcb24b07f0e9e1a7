"""Where the project's files are, and how lab_runner writes them: one home for both.

ROOT holds compose.yaml and labs/. It is SOCKET_LAB_ROOT when that is set (an installed
`lab-runner` pointed at a checkout), else the checkout this package lies in, else the current
folder. Every write here is whole or not at all (a temporary file, then a rename), and a new
name never replaces an old file: a learner's file is data.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def _root() -> Path:
    if named := os.environ.get("SOCKET_LAB_ROOT"):
        return Path(named).resolve()
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "compose.yaml").is_file() else Path.cwd()


ROOT = _root()
COMPOSE_FILE = ROOT / "compose.yaml"
LABS_DIR = ROOT / "labs"
BACKUPS = ROOT / ".lab-backups"  # what `reset` replaced, by lab: never lost


def runs_dir() -> Path:
    """Each lab's latest run as a page (LAB_RUNNER_RUNS names another folder, e.g. for the tests)."""
    return Path(os.environ.get("LAB_RUNNER_RUNS") or ROOT / ".lab-runs")


def state_file() -> Path:
    """The learner's progress (LAB_RUNNER_STATE names another file, e.g. for the tests)."""
    return Path(os.environ.get("LAB_RUNNER_STATE") or ROOT / ".lab-results.json")


def atomic_write(path: Path, data: str | bytes) -> None:
    """PATH holds DATA, whole, or is as it was; OSError ("cannot write PATH: why") if not."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OSError(f"cannot write {path}: {err.strerror or err}") from err
    except BaseException:  # Ctrl-C (or a test's SIGINT) mid-write: leave no half file behind
        tmp.unlink(missing_ok=True)
        raise


def fresh_name(folder: Path, stem: str, suffix: str = "") -> Path:
    """FOLDER/STEM-<date>-<time>SUFFIX, with -2, -3 ... added until no such file exists yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"{stem}-{stamp}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{stamp}-{n}{suffix}"
    return path
