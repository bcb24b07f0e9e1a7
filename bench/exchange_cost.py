"""The exchange's cost, for bench/run.py (issue 17): each returns (name, figure) rows.

- the record (exchange_of on a real run's result, its server lines read once beforehand) and
  the page (page.html) made per run, the median of 20 each, and the page's weight, for the
  solutions of labs 1, 3, 6 and 9;
- lab3 with the capture on (tcpdump in every sandbox) against its floor, as learner_loop
  measures it (the same solution by hand: one `docker compose exec`, one `grep`);
- watch: from a save to the verdict, the page rewritten on the way.
"""

from __future__ import annotations

import statistics
import sys
import time

import learner_loop

sys.path.insert(0, str(learner_loop.ROOT))
import concurrent.futures  # noqa: E402

from lab_runner import labs, page, runs, serverlogs, stack  # noqa: E402  (the checkout's own lab_runner)

LABS = ("lab1", "lab3", "lab6", "lab9")


def page_cost() -> list[tuple[str, str]]:
    rows = []
    for key in LABS:
        lab = labs.resolve(key)
        containers = stack.require_healthy([*lab.services, "workbench"])
        result = runs.run_one(lab, lab.solution_path, containers)
        # The record from the run's calls, packets and server lines (those read once, beforehand).
        lines = {s: [e["text"] for e in result.exchange["events"] if e["lane"] == s] for s in lab.services}
        read: concurrent.futures.Future = concurrent.futures.Future()
        read.set_result((serverlogs.ips({s: containers[s] for s in lab.services}), lines))
        built = []
        for _ in range(20):
            started = time.perf_counter()
            runs.exchange_of(lab, result.token, result.exercise, read)
            built.append(time.perf_counter() - started)
        times = []
        for _ in range(20):
            started = time.perf_counter()
            text = page.html(result)
            times.append(time.perf_counter() - started)
        events = len(result.exchange.get("events", []))
        made, weighs = statistics.median(times) * 1000, len(text.encode()) / 1024
        record = statistics.median(built) * 1000
        rows.append((f"{key}'s solution: record built, page made, page weighs ({events} events)",
                     f"{record:.1f} ms, {made:.1f} ms, {weighs:.0f} KB"))  # fmt: skip
    return rows


def lab3_with_capture(runs: int) -> list[tuple[str, str]]:
    lab3, floors = [], []
    for _ in range(max(runs, 5)):
        lab3.append(learner_loop.timed(learner_loop.PY, "-m", "lab_runner", "lab3", "--solution"))
        floors.append(learner_loop.floor())
    one, f = statistics.median(lab3), statistics.median(floors)
    return [
        ("lab3 --solution, capture and exchange on / its floor", f"{one:.2f} s / {f:.2f} s = {one / f:.2f}x")
    ]


def exchange_cost(runs: int) -> list[tuple[str, str]]:
    return [*page_cost(), *lab3_with_capture(runs), *learner_loop.watch_latency(runs)]
