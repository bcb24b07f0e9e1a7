"""Run one of bench/workloads/*.py inside the workbench container and read its JSON line.

The same workloads serve the fault tests and the benchmarks (bench/run.py), and they run where
the learners' exercises run, on the stack's own network, on any Docker host.
"""

from __future__ import annotations

import json
import subprocess

from lab_runner import stack

WORKLOADS = stack.ROOT / "bench" / "workloads"


def command(name: str, *args: object) -> list[str]:
    return [
        "docker", "compose", "-f", str(stack.COMPOSE_FILE), "exec", "-T", "workbench",
        "python3", "-", *map(str, args),
    ]  # fmt: skip


def run_workload(name: str, *args: object, timeout: float = 300) -> dict:
    """Run bench/workloads/NAME.py in the workbench with ARGS; its JSON result."""
    source = (WORKLOADS / f"{name}.py").read_bytes()
    done = subprocess.run(command(name, *args), input=source, capture_output=True, timeout=timeout)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def start_workload(name: str, *args: object) -> subprocess.Popen:
    """The same, in the background: .communicate() gives its output."""
    proc = subprocess.Popen(
        command(name, *args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdin.write((WORKLOADS / f"{name}.py").read_bytes())
    proc.stdin.close()
    proc.stdin = None  # sent and closed: communicate() now only reads
    return proc
