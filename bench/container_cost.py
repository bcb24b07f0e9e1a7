"""What a sandbox container's own life costs the machine, and what each of its options adds: N
containers of the sandbox's create request (lab_runner/sandbox.py), running `true`, created,
started, waited for until removed, then again with one option taken off at a time.

    .venv/bin/python bench/container_cost.py --runs 15

Run it on a quiet machine with the stack up: /proc/stat counts whatever else runs too. It
prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab_runner import sandbox, stack  # noqa: E402

OFF = {  # an option taken off the sandbox's create request
    "as a sandbox": lambda h: None,
    "no network (none)": lambda h: h.update(NetworkMode="none"),
    "no init": lambda h: h.update(Init=False),
    "no tmpfs": lambda h: h.pop("Tmpfs", None),
    "host cgroup namespace": lambda h: h.pop("CgroupnsMode", None),
    "no volumes": lambda h: h.update(Mounts=[]),
}


def busy() -> float:
    """CPU-seconds the whole machine has been busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(n) for n in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def life(spec: dict) -> None:
    engine = stack.engine()
    cid = engine.request("POST", "/containers/create", spec)["Id"]  # type: ignore[index]
    engine.request("POST", f"/containers/{cid}/start")
    engine.request("POST", f"/containers/{cid}/wait?condition=removed", timeout=60)  # AutoRemove


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    base = sandbox.template(stack.container_id("workbench"))
    base.update(Cmd=["true"], OpenStdin=False, Labels={})  # no spare: nothing claims it
    for name, off in OFF.items():
        spec = copy.deepcopy(base)
        off(spec["HostConfig"])
        life(spec)  # warm
        time.sleep(1)
        cpu, wall = busy(), time.monotonic()
        for _ in range(args.runs):
            life(spec)
        cpu, wall = busy() - cpu, time.monotonic() - wall
        each = 1000 / args.runs
        print(f"{name:24s} {cpu * each:5.0f} ms CPU, {wall * each:5.0f} ms wall a container")
    return 0


if __name__ == "__main__":
    sys.exit(main())
