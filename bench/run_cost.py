"""What one run of a lab costs the machine: the CPU it was busy (from /proc/stat) around N runs
of the lab's solution in one process, each in a sandbox of its own, and lab_runner's own share.

    .venv/bin/python bench/run_cost.py lab3 lab9 --runs 10

Run it on a quiet machine: /proc/stat counts whatever else runs too.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab_runner import labs, runs, sandbox, stack  # noqa: E402
from lab_runner.session import Session  # noqa: E402

SETTLE = 2.0  # seconds


def busy() -> float:
    """CPU-seconds the whole machine has been busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(n) for n in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def own() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="+", metavar="LAB")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    every = labs.discover()
    session = Session()
    session.pool.keep(sandbox.SPARES)  # spares refilled in this process, as grade does
    for name in args.labs:
        lab = labs.resolve(name, every)
        containers = stack.require_healthy(labs.services_for([lab]))
        runs.run_one(lab, lab.solution_path, containers, session=session)  # warm: spares, imports
        time.sleep(SETTLE)
        idle = busy()
        time.sleep(SETTLE)
        idle = busy() - idle  # what the machine does with no run: taken off below
        b0, t0, o0 = busy(), time.monotonic(), own()
        for _ in range(args.runs):
            if not runs.run_one(lab, lab.solution_path, containers, session=session).passed:
                print(f"{lab.key}: the solution failed: figures not kept", file=sys.stderr)
                return 1
        wall = time.monotonic() - t0
        session.pool.wait()
        time.sleep(SETTLE)  # the last spares' lab-run starts its strace and Python ahead
        machine, mine = busy() - b0 - idle * (time.monotonic() - t0) / SETTLE, own() - o0
        print(f"{lab.key}: {args.runs} runs in {wall:.1f} s, the machine busy {machine / args.runs:.2f} "
              f"CPU-s a run, lab_runner itself {mine / args.runs:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
