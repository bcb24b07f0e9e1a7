"""Where a graded class's time went, from the runs' spans in its grades.json.

    .venv/bin/python bench/make_class.py /tmp/class30
    .venv/bin/python bench/busy.py .venv/bin/python -m lab_runner grade /tmp/class30 --out /tmp/res30 \\
        --labs lab1,lab2,lab3,lab4,lab5,lab6,lab7,lab8,lab9,lab10
    .venv/bin/python bench/grade_spans.py /tmp/res30/grades.json

Prints the wall time, when the first pass of runs ended, what ran after it (runs again), the
runs that ended last and why, and each kind of learner's runs (bench/make_class.py names a
learner by kind: learner07_solved, learner12_hostile, ...).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path


def spans(doc: dict) -> list[dict]:
    """Every run of the class: its learner, kind, lab, attempt, start, end and verdict."""
    found = []
    for row in doc["results"]:
        kind = row["learner"].rsplit("_", 1)[-1]
        for attempt, run in enumerate(row["runs"]):
            start, end = run["at"]
            found.append({"learner": row["learner"], "kind": kind, "lab": row["lab"], "attempt": attempt,
                          "start": start, "end": end, "passed": run["passed"],
                          "misbehaved": run["misbehaved"]})  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("grades", type=Path, help="RESULTS/grades.json of a grade")
    args = parser.parse_args()
    doc = json.loads(args.grades.read_text())
    runs = spans(doc)
    first = [r for r in runs if r["attempt"] == 0]
    again = [r for r in runs if r["attempt"] > 0]
    s = doc["summary"]
    print(f"{s['learners']} learners x {s['labs']} labs: {len(runs)} runs in {s['seconds']:.1f} s")
    print(f"first pass: {len(first)} runs, the last started at {max(r['start'] for r in first):.1f} s,"
          f" ended at {max(r['end'] for r in first):.1f} s")  # fmt: skip
    if again:
        print(f"run again: {len(again)}, from {min(r['start'] for r in again):.1f} s to"
              f" {max(r['end'] for r in again):.1f} s")  # fmt: skip
        for r in again:
            print(f"  {r['learner']} {r['lab']}: {r['end'] - r['start']:.1f} s")
    print("the runs that ended last:")
    for r in sorted(runs, key=lambda r: r["end"])[-5:]:
        why = "; ".join(r["misbehaved"]) or ("passed" if r["passed"] else "failed")
        took = f"{r['start']:.1f}-{r['end']:.1f} s"
        print(f"  {r['learner']} {r['lab']} (attempt {r['attempt'] + 1}): {took}, {why}")
    by_kind: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        by_kind[r["kind"]].append(r["end"] - r["start"])
    for kind, took in sorted(by_kind.items()):
        print(f"{kind}: {len(took)} runs, median {statistics.median(took):.1f} s, longest {max(took):.1f} s")


if __name__ == "__main__":
    main()
