"""Re-run the "What you should see" blocks of the READMEs, so they come from real runs.

    .venv/bin/python docs/capture.py                              # README.md and labs/*/README.md
    .venv/bin/python docs/capture.py labs/03_dev_log/README.md    # one file

A block is an HTML comment naming the command, then a ```text fence with what it printed:

    <!-- capture: python -m lab_runner lab3 -->
    ```text
    ...
    ```

The command runs from the repository root as a learner would type it (`python -m` runs with
this Python, `docker compose exec` gets -T since there is no terminal). `{token}` in a command
is the token of the last run above it in the same file (a lab_runner run's, or the by-hand-…
one an exercise makes up when run by hand), so a block can show where that run's lines went.
Runs differ (tokens, ports, timings): the text says where they vary.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- capture: (.+?) -->\n```text\n)(.*?)(```)", re.S)
# A lab_runner run's token, or one an exercise run by hand made up (by-hand-1a2b3c4d).
TOKEN = re.compile(r"\b(lab\d+-[0-9a-f]{12}|by-hand-[0-9a-f]{8})\b")


def command(text: str, token: str) -> str:
    text = text.replace("{token}", token)
    text = re.sub(r"^python -m ", f"{sys.executable} -m ", text)
    return re.sub(r"^docker compose exec (?!-T)", "docker compose exec -T ", text)


def capture(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    token = ""
    state = {"LAB_RUNNER_STATE": str(Path(tempfile.gettempdir()) / "socketlab-capture-state.json")}

    def rerun(match: re.Match) -> str:
        nonlocal token
        cmd = command(match.group(2), token)
        done = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**os.environ, **state})  # fmt: skip
        out = (done.stdout + done.stderr).rstrip() + "\n"
        if found := TOKEN.findall(out):
            token = found[-1]
        return match.group(1) + out + match.group(4)

    new, count = BLOCK.subn(rerun, text)
    path.write_text(new, encoding="utf-8")
    return count


def main(args: list[str]) -> int:
    files = [Path(a) for a in args] or [ROOT / "README.md", *sorted(ROOT.glob("labs/*/README.md"))]
    for path in files:
        print(f"{path.relative_to(ROOT) if path.is_absolute() else path}: {capture(path)} block(s) captured")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
