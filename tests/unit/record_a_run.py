"""Record a real run for the unit tests (tests/unit/exchanges/<lab>-<which>.json): what the
sandbox and the stack gave lab_runner, as recorded_runs.py reads it back. Needs the stack up.

    COMPOSE_PROJECT_NAME=slpic .venv/bin/python tests/unit/record_a_run.py lab2 solution
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from lab_runner import labs, runs, stack  # noqa: E402

HERE = Path(__file__).parent / "exchanges"


def main(key: str, which: str) -> None:
    lab = labs.resolve(key)
    containers = stack.require_healthy([*lab.services, "workbench"])
    seen: dict = {}
    reader = runs.server_lines

    def keep(*args: object) -> tuple[dict, dict]:  # the server lines, as the run read them
        seen["ips"], seen["logs"] = reader(*args)  # type: ignore[arg-type]
        return seen["ips"], seen["logs"]

    runs.server_lines = keep
    path = lab.solution_path if which == "solution" else lab.folder / ".starter.py"
    result = runs.run_one(lab, path, containers)
    ex = result.exercise
    out = {
        "lab": key, "token": result.token, "values": result.values, "file": ex.file,
        "started_at": ex.started_at,
        "seconds": ex.seconds, "exit_code": ex.exit_code, "packets": ex.packets, "capture": ex.capture,
        "captured": ex.captured,
        "ips": seen["ips"], "logs": seen["logs"], "output": ex.output, "trace": ex.trace,
        "checks": [{"name": c.name, "step": c.step, "passed": c.passed, "reason": c.reason,
                    "environment": c.environment} for c in result.checks],
    }  # fmt: skip
    (HERE / f"{key}-{which}.json").write_text(json.dumps(out, indent=1) + "\n")
    print(key, which, result.verdict)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
