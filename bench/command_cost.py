"""What a check's command costs the machine: an exec per command, against a command written to a
shell kept open in the container (lab_runner/shells.py).

    .venv/bin/python bench/command_cost.py --commands 50

The command is a check's read of the syslog evidence for an absent token, run in the rsyslog
container. Prints, per way, the wall time and the machine's busy CPU (/proc/stat, so run it on a
quiet machine) per command; each way is measured three times, interleaved, and the lowest kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab_runner import loglines, stack  # noqa: E402
from lab_runner.shells import ENV, WORKDIR, Shells  # noqa: E402


def busy() -> float:
    """CPU-seconds the whole machine has been busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(n) for n in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=50)
    args = parser.parse_args()
    rsyslog = stack.container_id("rsyslog")
    command = loglines.read_command("/var/log/syslog", ["lab3-000000000000"])
    shells = Shells()
    shells.run(rsyslog, "true", timeout=10)  # opened once, as a grade opens it once

    def by_exec() -> None:
        stack.engine().exec(rsyslog, ["/bin/sh", "-c", command], workdir=WORKDIR, env=ENV)

    def by_shell() -> None:
        shells.run(rsyslog, command, timeout=10)

    best: dict[str, tuple[float, float]] = {}
    for _ in range(3):
        for name, way in (("an exec per command", by_exec), ("an open shell", by_shell)):
            cpu, wall = busy(), time.perf_counter()
            for _ in range(args.commands):
                way()
            took = ((time.perf_counter() - wall) / args.commands, (busy() - cpu) / args.commands)
            best[name] = min(best.get(name, took), took, key=lambda t: t[1])
    shells.close()
    for name, (wall, cpu) in best.items():
        print(f"{name}: {wall * 1000:.1f} ms wall, the machine busy {cpu * 1000:.1f} ms of CPU a command")


if __name__ == "__main__":
    main()
