"""Per-learner values on the real stack (lab_runner/values.py): lab 3's facility and severity are
each learner's own. A program that reads them passes for everyone; a classmate's file with their
values written in passes for them and fails for anyone else, in a learner's own run and in `grade`."""

from __future__ import annotations

import json
from logging.handlers import SysLogHandler
from pathlib import Path

from runner import lab_runner

from lab_runner import labs

LAB3 = labs.resolve("lab3")


def two_learners() -> tuple[str, str]:
    """Two names whose lab 3 values differ (most pairs do; the test must not depend on luck)."""
    alice = LAB3.values_of("alice")
    other = next(f"bob{n}" for n in range(100) if LAB3.values_of(f"bob{n}") != alice)
    return "alice", other


def written_in(name: str) -> str:
    """NAME's lab 3 solution, with NAME's values written in instead of read."""
    mine = LAB3.values_of(name)
    pri = SysLogHandler.facility_names[mine["facility"]] * 8 + SysLogHandler.priority_names[mine["severity"]]
    return (
        "import os, socket\n"
        "token = os.environ['LAB_TOKEN']\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
        "s.connect('/dev/log')\n"
        "s.send(f'*****hello-{token}*****'.encode())\n"
        f"s.send(f'<{pri}>lab3: my priority, written in, run {{token}}'.encode())\n"
    )


def run(path: Path, learner: str) -> dict:
    done = lab_runner("lab3", "--exercise", str(path), "--learner", learner, "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)["labs"][0]


def test_a_program_that_reads_its_values_passes_for_every_learner_and_the_report_says_them():
    for name in two_learners():
        doc = run(LAB3.solution_path, name)
        mine = LAB3.values_of(name)
        assert doc["passed"], doc["status"]
        assert (doc["learner"], doc["values"]) == (name, mine)
        assert f"{mine['facility']}.{mine['severity']}" in doc["steps"][1]["title"]


def test_values_written_in_pass_only_for_their_learner(tmp_path):
    alice, bob = two_learners()
    path = tmp_path / "exercise.py"
    path.write_text(written_in(alice), encoding="utf-8")
    assert run(path, alice)["passed"]
    theirs = run(path, bob)
    assert not theirs["passed"] and theirs["failing_step"] == 2, theirs["status"]


def test_grade_draws_each_learners_values_from_their_folder(tmp_path):
    alice, bob = two_learners()
    root, out = tmp_path / "class", tmp_path / "out"
    for name in (alice, bob):  # bob hands in alice's file, values and all
        folder = root / name / LAB3.folder.name
        folder.mkdir(parents=True)
        (folder / "exercise.py").write_text(written_in(alice), encoding="utf-8")
    done = lab_runner("grade", str(root), "--out", str(out), "--labs", "lab3")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    text = json.dumps(rows)
    assert alice in text and bob in text
    passed = {r["learner"]: r["passed"] for r in rows_of(rows)}
    assert passed == {alice: True, bob: False}, passed


def rows_of(document: dict) -> list[dict]:
    return [row for row in document["results"] if row["lab"] == "lab3"]
