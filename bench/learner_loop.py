"""Benchmarks of lab_runner itself, for bench/run.py: each returns (name, figure) rows.

- lab3 against its floor: the same solution through one `docker compose exec` plus one
  `grep` in the rsyslog container, what a learner would type by hand;
- `run --all` against ten floors;
- where a lab3 run's time goes (imports, stack check, exercise, checks);
- the cost of tracing an exercise (strace), socket calls alone and with read/write/poll/...;
- a run's sandbox: claiming a spare started ahead, or starting one cold;
- watch: from a save of exercise.py to the verdict on screen;
- a soak: every lab's reference, many times, with both CPUs busy: the count of flaky runs.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import floors

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ["docker", "compose", "-f", str(ROOT / "compose.yaml")]
PY = sys.executable
STATE = {"LAB_RUNNER_STATE": str(Path(tempfile.gettempdir()) / "socketlab-bench-state.json")}


def run(*cmd: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **STATE, **(env or {})}
    )
    if check and done.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(cmd)} failed: {done.stderr.strip()[-300:]}")
    return done


def timed(*cmd: str) -> float:
    started = time.perf_counter()
    run(*cmd)
    return time.perf_counter() - started


def floor() -> float:
    """lab3's solution by hand: one compose exec to run it, one to grep for its line."""
    token = f"floor-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    run(
        *COMPOSE,
        "exec",
        "-T",
        "-e",
        f"LAB_TOKEN={token}",
        "workbench",
        "python3",
        "/labs/03_dev_log/solution.py",
    )
    run(*COMPOSE, "exec", "-T", "rsyslog", "grep", "-c", token, "/var/log/syslog")
    return time.perf_counter() - started


def lab3_and_run_all(runs: int) -> list[tuple[str, str]]:
    lab3, floors, alls = [], [], []
    for _ in range(max(runs, 5)):
        lab3.append(timed(PY, "-m", "lab_runner", "lab3", "--solution"))
        floors.append(floor())
    for _ in range(runs):
        alls.append(timed(PY, "-m", "lab_runner", "run", "--all", "--solution"))
    f, one, everything = statistics.median(floors), statistics.median(lab3), statistics.median(alls)
    n = len(list((ROOT / "labs").glob("*/lab.toml")))
    return [
        ("lab_runner lab3 --solution / its floor (exec + grep)", f"{one:.2f} s / {f:.2f} s = {one / f:.2f}x"),
        (f"run --all --solution ({n} labs) / {n} floors",
         f"{everything:.2f} s / {n * f:.2f} s = {everything / (n * f):.2f}x"),
    ]  # fmt: skip


# Each newer lab's by-hand floor: the docker compose exec commands that do by hand what its run
# does (run the solution, then look where the checks look). One row per lab, issue 25's labs.
FLOORS = {
    **floors.FLOORS,
    "lab14": [
        ("workbench", "python3", "/labs/14_closing/solution.py"),
        ("workbench", "ss", "-tan", "state", "time-wait"),  # the TIME_WAIT its step 3 checks
    ],
}


def lab_floor(key: str) -> float:
    started = time.perf_counter()
    for service, *cmd in FLOORS[key]:
        run(*COMPOSE, "exec", "-T", service, *cmd)
    return time.perf_counter() - started


def newer_labs(runs: int) -> list[tuple[str, str]]:
    """Each newer lab's solution through lab_runner against its by-hand floor (FLOORS)."""
    rows = []
    for key in FLOORS:
        ours = statistics.median(
            timed(PY, "-m", "lab_runner", key, "--solution") for _ in range(max(runs, 3))
        )
        hand = statistics.median(lab_floor(key) for _ in range(max(runs, 3)))
        rows.append(
            (f"lab_runner {key} --solution / its floor", f"{ours:.2f} s / {hand:.2f} s = {ours / hand:.2f}x")
        )
    return rows


BREAKDOWN = """
import json, sys, time
t0 = time.perf_counter()
from lab_runner import checks, runs, verdict, labs, stack
from lab_runner.running import Running
t1 = time.perf_counter()
lab = labs.resolve("lab3")
ids = stack.require_healthy(["rsyslog", "workbench"])
t2 = time.perf_counter()
token = runs.new_token(lab.key)
with Running(ids["workbench"], lab.solution_path, lab.folder, token, 20) as r:
    r.wait()
    t3 = time.perf_counter()
    results = checks.run(lab, token, r.result(), ids, identity=runs.identity_of(r.sandbox))
    t4 = time.perf_counter()
t5 = time.perf_counter()
assert all(c.passed for c in results), results
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4]))
"""


def breakdown(runs: int) -> list[tuple[str, str]]:
    startup = statistics.median([timed(PY, "-c", "pass") for _ in range(5)])
    parts = [json.loads(run(PY, "-c", BREAKDOWN).stdout) for _ in range(max(runs, 5))]
    names = [
        "imports",
        "stack check (engine API)",
        "exercise (lab-run, traced)",
        "checks (5 execs)",
        "cleanup",
    ]
    figures = [f"python start {startup * 1000:.0f} ms"]
    figures += [
        f"{name} {statistics.median(p[i] for p in parts) * 1000:.0f} ms" for i, name in enumerate(names)
    ]
    return [("where a lab3 run's time goes (median)", ", ".join(figures))]


TRACE_COST = """
set -e
cd /labs/{lab}
t() {{ s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000 )); }}
drop="setpriv --reuid=1000015 --regid=1000015 --clear-groups env LAB_TOKEN=x python3 -I solution.py"
for i in $(seq {n}); do
  echo plain $(t $drop)
  echo network $(t strace -f --seccomp-bpf -q -e signal=none -e trace=%network,close,clone,clone3,fork,vfork \
      -s 256 -o /dev/null $drop)
  echo before $(t strace -f --seccomp-bpf -q -y -e signal=none -e '{before}' -s 256 -o /dev/null $drop)
  echo all $(t strace -f --seccomp-bpf -q -y -e signal=none -e '{traced}' -e '{inject}' -s {size} \\
      -o /dev/null $drop)
done
"""
# What lab-run traced before issue 21 (no pwritev2, splice, ... nor AIO refused, -s 256): the
# new evidence's cost is "all" against this.
TRACED_BEFORE = (
    "trace=%network,close,clone,clone3,fork,vfork,read,write,readv,writev,sendfile,"
    "poll,ppoll,select,pselect6,epoll_wait,epoll_pwait,epoll_ctl,ioctl,fcntl"
)


def lab_run_module():
    """images/workbench/lab-run, loaded as a module: its TRACED, REFUSED and STRING_BYTES."""
    path = ROOT / "images" / "workbench" / "lab-run"
    loader = importlib.machinery.SourceFileLoader("lab_run", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("lab_run", loader))
    loader.exec_module(module)
    return module


def trace_cost(runs: int) -> list[tuple[str, str]]:
    """strace's cost: the socket calls alone (before the sandbox), what lab-run traced before
    issue 21, and what it traces now (every call that moves bytes, AIO refused, 4 KiB shown)."""
    lab_run = lab_run_module()
    rows = []
    for lab in ("03_dev_log", "09_domain_and_type"):
        script = TRACE_COST.format(
            lab=lab, n=max(runs, 5), traced=lab_run.TRACED, before=TRACED_BEFORE,
            inject=f"inject={lab_run.REFUSED}:error=ENOSYS", size=lab_run.STRING_BYTES,
        )  # fmt: skip
        out = run(*COMPOSE, "exec", "-T", "workbench", "sh", "-c", script).stdout
        times: dict[str, list[int]] = {"plain": [], "network": [], "before": [], "all": []}
        for line in out.split("\n"):
            kind, _, micros = line.partition(" ")
            if kind in times and micros.strip():
                times[kind].append(int(micros))
        plain, network, before, every = (
            statistics.median(times[k]) / 1000 for k in ("plain", "network", "before", "all")
        )
        rows.append(
            (
                f"strace's cost on {lab}'s solution",
                f"{plain:.0f} ms plain; traced: {network:.0f} ms (socket calls, +{network - plain:.0f} ms), "
                f"{before:.0f} ms (before issue 21: +{before - plain:.0f} ms), "
                f"{every:.0f} ms (now: every byte-moving call, AIO refused, 4 KiB shown:"
                f" +{every - plain:.0f} ms)",
            )
        )
    return rows


SANDBOX_COST = """
import hashlib, json, time
from lab_runner import sandbox, stack
from lab_runner.running import LIMITS
wb = stack.container_id("workbench")
pool = sandbox.Pool()
pool.refill(wb, 1, wait=True)
t0 = time.perf_counter()
warm = pool.claim(wb)
t1 = time.perf_counter()
cold = pool._start(wb, pool._name("run"))
box = pool._attach(cold, 30)
t2 = time.perf_counter()
empty = {"name": "x.py", "timeout": 5, "size": 0, "sha256": hashlib.sha256(b"").hexdigest(), "limits": LIMITS}
for b in (warm, box):  # an empty exercise, and done: each sandbox ends at once
    b.stream.write(json.dumps(empty).encode() + b"\\ndone\\n")
    b.stream.close()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def sandbox_cost(runs: int) -> list[tuple[str, str]]:
    """A run's sandbox: claiming a spare started ahead, against starting one cold; and the
    issue's reference figures, `docker run --rm` and `docker compose exec` of `python3 -c pass`."""
    parts = [json.loads(run(PY, "-c", SANDBOX_COST).stdout) for _ in range(max(runs, 5))]
    image = run("docker", "inspect", "--format", "{{.Image}}", run(
        *COMPOSE, "ps", "-q", "workbench").stdout.strip()).stdout.strip()  # fmt: skip
    docker_run = statistics.median(
        [timed("docker", "run", "--rm", "--entrypoint", "python3", image, "-c", "pass") for _ in range(5)]
    )
    exec_ = statistics.median(
        [timed(*COMPOSE, "exec", "-T", "workbench", "python3", "-c", "pass") for _ in range(5)]
    )
    warm, cold = (statistics.median(p[i] for p in parts) * 1000 for i in (0, 1))
    return [
        ("a run's sandbox: claim a spare / start one cold", f"{warm:.0f} ms / {cold:.0f} ms"),
        ("for reference: docker run --rm / compose exec, python3 -c pass",
         f"{docker_run:.2f} s / {exec_:.2f} s"),
    ]  # fmt: skip


def watch_latency(runs: int) -> list[tuple[str, str]]:
    """Save exercise.py under `watch lab3`; time until its verdict line is printed."""
    exercise = ROOT / "labs" / "03_dev_log" / "exercise.py"
    original = exercise.read_bytes()
    starter = (ROOT / "labs" / "03_dev_log" / ".starter.py").read_bytes()
    proc = subprocess.Popen(
        [PY, "-u", "-m", "lab_runner", "watch", "lab3"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, **STATE},
    )  # fmt: skip
    lines: list[tuple[float, str]] = []
    threading.Thread(
        target=lambda: [lines.append((time.perf_counter(), x)) for x in proc.stdout], daemon=True
    ).start()

    def wait_for(prefix: str, after: float, timeout: float = 30) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for at, line in list(lines):
                if at >= after and line.startswith(prefix):
                    return at
            time.sleep(0.005)
        raise SystemExit(f"bench: watch printed no {prefix!r} line")

    try:
        exercise.write_bytes(starter)
        wait_for("watching ", 0)
        latencies = []
        for n in range(max(runs, 5)):
            saved = time.perf_counter()
            exercise.write_bytes(starter + f"# save {n}\n".encode())  # still failing step 2
            latencies.append(wait_for("FAIL: lab3", saved) - saved)
    finally:
        proc.terminate()
        proc.wait(10)
        exercise.write_bytes(original)
    return [("watch: a save to its verdict on screen (median, max)",
             f"{statistics.median(latencies):.2f} s, {max(latencies):.2f} s")]  # fmt: skip


def soak(rounds: int) -> list[tuple[str, str]]:
    """Every lab's reference ROUNDS times (run --all --solution) with both CPUs kept busy."""
    stop = time.monotonic() + 3600
    burners = [
        subprocess.Popen([PY, "-c", f"import time\nwhile time.monotonic() < {stop}: pass"]) for _ in range(2)
    ]
    failures: dict[str, int] = {}
    started = time.perf_counter()
    try:
        for _ in range(rounds):
            doc = json.loads(run(PY, "-m", "lab_runner", "run", "--all", "--solution", "--json").stdout)
            for lab in doc["labs"]:
                if not lab["passed"]:
                    failures[lab["lab"]] = failures.get(lab["lab"], 0) + 1
    finally:
        for b in burners:
            b.kill()
    labs = len(doc["labs"])
    failed = ", ".join(f"{k}: {v}" for k, v in sorted(failures.items())) or "none"
    took = time.perf_counter() - started
    return [(f"soak: {rounds} x every lab's solution ({rounds * labs} runs), 2 busy loops",
             f"{sum(failures.values())} failed ({failed}), {took:.0f} s")]  # fmt: skip
