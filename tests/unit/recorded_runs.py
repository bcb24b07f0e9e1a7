"""Real runs, recorded: what the sandbox and the stack gave lab_runner for a solution or a
starter of labs 1, 3, 6 and 9 (tests/unit/exchanges/*.json), made into the objects a run makes.

    rec, raw = record("lab3-starter")       # the exchange record, and the run as recorded
    result = lab_result("lab6-solution")    # a LabResult, checks and exchange included
"""

import json
from pathlib import Path

from lab_runner import labs
from lab_runner.checks import CheckResult
from lab_runner.exchange import Exchange
from lab_runner.exercise_result import ExerciseResult
from lab_runner.verdict import LabResult

RUNS = Path(__file__).parent / "exchanges"
NAMES = sorted(p.stem for p in RUNS.glob("*.json"))


def raw(name: str) -> dict:
    return json.loads((RUNS / f"{name}.json").read_text())


def exercise(d: dict) -> ExerciseResult:
    return ExerciseResult(
        file=d["file"], exit_code=d["exit_code"], output=d["output"], seconds=d["seconds"], trace=d["trace"],
        started_at=d["started_at"], packets=d["packets"], capture=d["capture"],
        captured=d.get("captured", True),  # recorded once the run was over: tcpdump had ended
    )  # fmt: skip


def record(name: str) -> tuple[dict, dict]:
    d = raw(name)
    found = Exchange(exercise(d), d["token"], d["ips"])
    found.add_logs(d["logs"])
    return found.record(), d


def lab_result(name: str) -> LabResult:
    rec, d = record(name)
    checks = [CheckResult(**c) for c in d["checks"]]
    return LabResult(labs.resolve(d["lab"]), d["token"], exercise(d), checks, d["seconds"], rec)
