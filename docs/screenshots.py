"""Make the README's and each lab README's picture of the exchange, from real runs.

    .venv/bin/python docs/screenshots.py             # every lab, and the README's two
    .venv/bin/python docs/screenshots.py lab3 lab6   # some labs

Each lab's starter runs on the stack as a learner's first run would (step 1 passes, the later
steps fail), its page is written, and headless Chromium (./bootstrap.sh installs it) takes a
PNG of it: docs/screenshots/<lab>.png, shown at the end of labs/NN_slug/README.md. The README
shows lab 1's starter and lab 6's solution (docs/screenshots/readme-*.png). Runs differ
(tokens, ports, timings); look at the pictures before committing them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lab_runner import labs, page, stack, verdict  # noqa: E402  (this checkout's lab_runner)

OUT = ROOT / "docs" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]  # fmt: skip
# The README's: lab 1's starter whole; lab 6's solution without its packets, wide enough for
# the checks' clients (the page's #nopackets).
README = [
    ("readme-lab1", "lab1", "starter", "", 1280),
    ("readme-lab6", "lab6", "solution", "#nopackets", 1960),
]


def shoot(html: Path, png: Path, size: str, anchor: str = "") -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("screenshots: no Chromium (./bootstrap.sh installs it, as root on Debian)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
             "--virtual-time-budget=2000", f"--screenshot={png}", html.resolve().as_uri() + anchor],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def run_page(key: str, which: str, folder: Path, width: int = 1280, packets: bool = True) -> tuple[Path, str]:
    """The page of a run of KEY's starter or solution, and a window tall enough for most of it."""
    lab = labs.resolve(key)
    path = lab.solution_path if which == "solution" else lab.starter_path
    result = verdict.run_one(lab, path, stack.require_healthy([*lab.services, "workbench"]))
    print(f"{key} {which}: {result.verdict}", flush=True)
    events = [e for e in result.exchange.get("events", []) if packets or e["kind"] != "packet"]
    rows = len(events) + 4 * len(lab.steps) + 6
    # The failing step's expected, observed and hint text and the byte diffs take ~300 px more.
    return page.write(result, folder / f"{key}-{which}.html"), f"{width},{min(2400, 780 + 23 * rows)}"


def main(keys: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chosen = [labs.resolve(k) for k in keys] if keys else labs.discover()
    with tempfile.TemporaryDirectory() as folder:
        for lab in chosen:
            html, size = run_page(lab.key, "starter", Path(folder))
            shoot(html, OUT / f"{lab.key}.png", size)
        for name, key, which, anchor, width in README if not keys else []:
            html, size = run_page(key, which, Path(folder), width, packets=not anchor)
            shoot(html, OUT / f"{name}.png", size, anchor)
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
