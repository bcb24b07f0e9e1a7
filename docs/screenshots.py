"""Make the README's and each lab README's picture of the exchange, from real runs.

    .venv/bin/python docs/screenshots.py             # every lab, and the README's two
    .venv/bin/python docs/screenshots.py lab3 lab6   # some labs

Each lab's starter runs on the stack as a learner's first run would (step 1 passes, the later
steps fail), its page is written, and headless Chromium (./bootstrap.sh installs it, Playwright
drives it) takes a PNG of it at 1280x800, scrolled to the exchange:
docs/screenshots/<lab>.png, shown at the end of labs/NN_slug/README.md. The README
shows lab 1's starter and lab 6's solution (docs/screenshots/readme-*.png). Runs differ
(tokens, ports, timings); look at the pictures before committing them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lab_runner import labs, page, runs, stack  # noqa: E402  (this checkout's lab_runner)

OUT = ROOT / "docs" / "screenshots"
SIZE = {"width": 1280, "height": 800}  # a laptop's screen: what the page is made to fit
# The README's: lab 1's starter; lab 6's solution without its packets (the page's #nopackets).
README = [("readme-lab1", "lab1", "starter", ""), ("readme-lab6", "lab6", "solution", "#nopackets")]


def shoot(html: Path, png: Path, anchor: str = "") -> None:
    """PNG of the page at 1280x800, scrolled to its exchange (Playwright drives Debian's Chromium)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("screenshots: no Chromium (./bootstrap.sh installs it, as root on Debian)")
    from playwright.sync_api import sync_playwright  # the test extras: pip install -e '.[test]'

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser, args=["--no-sandbox", "--disable-gpu"])
        tab = chromium.new_page(viewport=SIZE, device_scale_factor=1)
        tab.goto(html.resolve().as_uri() + anchor)
        tab.wait_for_selector("body[data-drawn]")
        tab.evaluate("document.getElementById('exchange').scrollIntoView()")
        tab.screenshot(path=str(png))
        chromium.close()


def run_page(key: str, which: str, folder: Path) -> Path:
    """The page of a run of KEY's starter or solution."""
    lab = labs.resolve(key)
    path = lab.solution_path if which == "solution" else lab.starter_path
    result = runs.run_one(lab, path, stack.require_healthy([*lab.services, "workbench"]))
    print(f"{key} {which}: {result.verdict}", flush=True)
    return page.write(result, folder / f"{key}-{which}.html")


def main(keys: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chosen = [labs.resolve(k) for k in keys] if keys else labs.discover()
    with tempfile.TemporaryDirectory() as folder:
        for lab in chosen:
            shoot(run_page(lab.key, "starter", Path(folder)), OUT / f"{lab.key}.png")
        for name, key, which, anchor in README if not keys else []:
            shoot(run_page(key, which, Path(folder)), OUT / f"{name}.png", anchor)
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
