"""How long a command takes, and how busy the whole machine was meanwhile (from /proc/stat).

    .venv/bin/python bench/busy.py .venv/bin/python -m lab_runner grade /tmp/class30 --out /tmp/res30

Prints "wall S s, machine busy C CPU-s of T": for a command whose work is spread over
containers (the engine, runc, the sandboxes), where its own CPU time says little.
"""

import os
import subprocess
import sys
import time


def jiffies() -> tuple[int, int]:
    """(busy, all) since boot: user + nice + system, and every column."""
    with open("/proc/stat") as f:
        fields = [int(n) for n in f.readline().split()[1:]]
    return sum(fields[:3]), sum(fields)


def main() -> None:
    hz = os.sysconf("SC_CLK_TCK")
    busy, total = jiffies()
    started = time.perf_counter()
    done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    busy2, total2 = jiffies()
    print(f"wall {wall:.1f} s, machine busy {(busy2 - busy) / hz:.0f} CPU-s of {(total2 - total) / hz:.0f}")
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
