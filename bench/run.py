"""Socket Lab's benchmarks: one command, printed figures, no assertions.

    .venv/bin/python bench/run.py                  # everything but the cold bootstrap (~5 min)
    .venv/bin/python bench/run.py --cold 1         # also a cold bootstrap: DESTRUCTIVE, see below
    .venv/bin/python bench/run.py --markdown docs/benchmarks.md

Each figure is the median of --runs runs (ratios are taken within one run). What is measured:
a cold build (`docker compose build --no-cache`), a warm `up --wait` (after `down`),
`python -m lab_runner lab3` against its floor (the same exercise through one plain
`docker compose exec`, plus one `grep` in the rsyslog container), lab15 against its own (a
`docker run` that makes the lossy link and its peer by hand), `run --all`, a healthy
chat pair's relay latency under three attacks and Flask's `GET /` with 2,000 idle connections
held (`attacks`), chat
throughput and relay latency at 10, 100 and 500 clients, and syslog datagrams per second with
the count lost. The workloads are bench/workloads/*.py, run inside the workbench.

--cold N purges the Docker engine, Compose, their state (/var/lib/docker: every image and
volume) and debootstrap from this machine, then times ./bootstrap.sh making it all again, N
times. Only for a throwaway Debian machine, as root.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import exchange_cost
import learner_loop
import link_floor
from probes import PROBE  # a look at a service's CPU and memory, shared with the tests

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ["docker", "compose", "-f", str(ROOT / "compose.yaml")]
PY = sys.executable
SECTIONS = ["build", "lab_runner", "watch", "exchange", "soak", "attacks", "chat", "syslog"]


def sh(*cmd: str, input: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=ROOT, input=input, capture_output=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(cmd)} failed: {done.stderr.decode(errors='replace').strip()[-300:]}"
        )
    return done


def timed(*cmd: str, **kw) -> float:
    started = time.perf_counter()
    sh(*cmd, **kw)
    return time.perf_counter() - started


def workload(name: str, *args: object) -> dict:
    source = (ROOT / "bench" / "workloads" / f"{name}.py").read_bytes()
    out = sh(*COMPOSE, "exec", "-T", "workbench", "python3", "-", *map(str, args), input=source).stdout
    return json.loads(out.decode().strip().splitlines()[-1])


def med(values: list[float]) -> float:
    return statistics.median(values)


def cold_bootstrap(runs: int) -> float:
    """Purge Docker and its state, then time ./bootstrap.sh (engine, Compose, base image; .venv stays)."""
    purge = """
        set -e
        docker compose -f compose.yaml down -v --remove-orphans >/dev/null 2>&1 || true
        pkill dockerd || true; sleep 3; pkill containerd || true; sleep 1
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq docker.io docker-compose docker-buildx \
            docker-cli debootstrap mmdebstrap containerd runc tini >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get autoremove -y -qq >/dev/null
        rm -rf /var/lib/docker /var/lib/containerd /etc/docker /usr/libexec/docker \
            /etc/apt/sources.list.d/socketlab-trixie.sources /etc/apt/preferences.d/socketlab-trixie
        apt-get update -qq
    """
    times = []
    for _ in range(runs):
        sh("bash", "-c", purge)
        times.append(timed("./bootstrap.sh"))
    return med(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--cold", type=int, default=0, metavar="N", help="N cold bootstraps (destructive)")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the results page to FILE")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"sections, comma-separated: {','.join(SECTIONS)}"
    )
    parser.add_argument(
        "--soak", type=int, default=20, metavar="N", help="rounds of every lab's solution (default 20)"
    )
    args = parser.parse_args()
    runs = args.runs
    rows: list[tuple[str, str]] = []

    def report(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name:<52} {value}", flush=True)

    only = set(args.only.split(","))
    if args.cold:
        report("cold bootstrap (engine, Compose, base image)", f"{cold_bootstrap(args.cold):.1f} s")
    if "build" in only:
        report("bootstrap with nothing to do", f"{med([timed('./bootstrap.sh') for _ in range(runs)]):.2f} s")
        report("cold build (build --no-cache, 4 images)",
               f"{med([timed(*COMPOSE, 'build', '--no-cache') for _ in range(runs)]):.1f} s")  # fmt: skip
        sh(*COMPOSE, "up", "-d", "--wait")
        ups = []
        for _ in range(runs):
            sh(*COMPOSE, "down")
            ups.append(timed(*COMPOSE, "up", "-d", "--wait"))
        report("warm up --wait (after down)", f"{med(ups):.2f} s")
    sh(*COMPOSE, "up", "-d", "--wait")

    if "lab_runner" in only:
        for row in [
            *learner_loop.lab3_and_run_all(runs),
            *learner_loop.newer_labs(runs),
            *learner_loop.breakdown(runs),
            *learner_loop.trace_cost(runs),
            *learner_loop.sandbox_cost(runs),
            *link_floor.lab15_and_floor(runs),
        ]:
            report(*row)
    if "watch" in only:
        report(*learner_loop.watch_latency(runs)[0])
    if "exchange" in only:
        for row in exchange_cost.exchange_cost(runs):
            report(*row)
    if "soak" in only:
        report(*learner_loop.soak(args.soak)[0])
    if "attacks" in only:
        attacks(runs, report)
    if "chat" not in only:
        return finish(args, rows, runs)

    for clients in (10, 100, 500):
        # Flat out: every client sends as fast as it can (throughput; latency of a full queue).
        lines = max(1, min(2000, 200_000 // (clients - 1)) // clients)
        flat = [workload("chat_crowd", f"b{uuid.uuid4().hex[:6]}", clients, lines) for _ in range(runs)]
        copies, sent = med([r["copies_per_s"] for r in flat]), med([r["lines_per_s"] for r in flat])
        report(
            f"chat, {clients} clients flat out: relayed copies/s", f"{copies:,.0f}/s (lines in {sent:,.0f}/s)"
        )
        # Paced: 100 lines/s in all, well below capacity: the relay latency itself.
        paced_lines = max(1, 300 // clients)
        paced = [
            workload("chat_crowd", f"b{uuid.uuid4().hex[:6]}", clients, paced_lines, 100) for _ in range(runs)
        ]
        lost = sum(r["expected"] - r["delivered"] for r in flat + paced)
        p50, p99 = med([r["p50_ms"] for r in paced]), med([r["p99_ms"] for r in paced])
        f50, f99 = med([r["p50_ms"] for r in flat]), med([r["p99_ms"] for r in flat])
        report(f"chat, {clients} clients at 100 lines/s: latency p50 / p99",
               f"{p50:.1f} ms / {p99:.1f} ms (flat out: {f50:.0f} / {f99:.0f} ms)"
               f"{f', {lost} copies lost' if lost else ', none lost'}")  # fmt: skip

    rates, lost = [], []
    for _ in range(runs if "syslog" in only else 0):
        token = f"b{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        workload("syslog_burst", token, 100_000)
        while True:  # until rsyslog has written them all, or 60 s
            # In the file and its previous generation: it is rotated at 32 MiB (rsyslog.conf).
            count = f"cat /var/log/syslog.1 /var/log/syslog 2>/dev/null | grep -c 'burst: {token} ' || true"
            n = int(sh(*COMPOSE, "exec", "-T", "rsyslog", "sh", "-c", count).stdout)
            if n >= 100_000 or time.perf_counter() - started > 60:
                break
            time.sleep(0.1)
        rates.append(100_000 / (time.perf_counter() - started))
        lost.append(100_000 - n)
    if rates:
        report(
            "syslog: 100,000 datagrams into /var/log/syslog", f"{med(rates):,.0f} lines/s, lost {max(lost)}"
        )
    finish(args, rows, runs)


def attacks(runs: int, report) -> None:
    """Issue 10's figures: a healthy pair's relay while one client attacks a room of 500 that
    never read; the chat server's CPU once the attackers left; Flask with 2,000 idle connections."""
    for attack, what in [
        ("none", "nobody attacks"),
        ("bigline", "(a) one sends 16 KiB non-UTF-8 lines"),
        ("burst", "(b) one bursts 200 x 1 KiB lines"),
        ("flood", "(c) one floods continuously"),
    ]:
        seen = [workload("chat_attack", f"b{uuid.uuid4().hex[:6]}", attack, 10, 500) for _ in range(runs)]
        p50, p99 = med([r["p50_ms"] for r in seen]), med([r["p99_ms"] for r in seen])
        lost = sum(r["sent"] - r["received"] for r in seen)
        report(
            f"chat relay, 500 never read, {what}: p50 / p99",
            f"{p50:.1f} ms / {p99:.1f} ms (max {max(r['max_ms'] for r in seen):.0f} ms"
            f"{f', {lost} lost' if lost else ''})",
        )
    time.sleep(3)  # the attackers are gone; the server drops what is left of them
    probe = sh(*COMPOSE, "exec", "-T", "chat", "python3", "-c", PROBE, "/app/server.py", "10").stdout
    cpu = float(probe.split()[0]) / 10
    report("chat server's CPU over 10 s once the attackers left", f"{cpu:.1%} of a core")
    idle = [workload("flask_idle", f"b{uuid.uuid4().hex[:6]}", 2000, 50) for _ in range(runs)]
    p50, p99 = med([r["p50_ms"] for r in idle]), med([r["p99_ms"] for r in idle])
    failed = sum(r["failed"] for r in idle)
    # The worst of all runs, not a median: one SYN dropped by a full accept queue costs 1 s.
    report("flask GET / with 2,000 idle connections held: p50 / p99 / max",
           f"{p50:.0f} ms / {p99:.0f} ms / {max(r['max_ms'] for r in idle):.0f} ms "
           f"({failed} of {50 * runs} failed)")  # fmt: skip


def finish(args: argparse.Namespace, rows: list[tuple[str, str]], runs: int) -> None:
    if args.markdown:
        machine = (
            f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Docker "
            + sh("docker", "version", "--format", "{{.Server.Version}}").stdout.decode().strip()
        )
        command = " ".join(["bench/run.py", *sys.argv[1:]])
        table = "\n".join(f"| {name} | {value} |" for name, value in rows)
        section = (
            f"<!-- bench:{args.only} -->\nMeasured {time.strftime('%Y-%m-%d')} on {machine}, "
            f"median of {runs} runs, with\n\n    .venv/bin/python {command}\n\n"
            f"| what | result |\n|---|---|\n{table}\n"
            f"<!-- bench:end -->"
        )
        # Each --only selection has its own section in the page; the text around them stays.
        page = args.markdown.read_text() if args.markdown.exists() else "# Benchmarks\n"
        pattern = re.compile(rf"<!-- bench:{re.escape(args.only)} -->.*?<!-- bench:end -->", re.S)
        page = (
            pattern.sub(lambda _: section, page) if pattern.search(page) else page.rstrip() + "\n\n" + section
        )
        args.markdown.write_text(page.rstrip() + "\n")


if __name__ == "__main__":
    main()
