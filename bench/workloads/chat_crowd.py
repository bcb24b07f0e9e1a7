"""A crowd of chat clients; runs in the workbench (stdlib only).

    python3 chat_crowd.py TOKEN CLIENTS LINES_EACH [RATE [HOST PORT]]

RATE is lines per second across all clients, 0 (the default) for as fast as they can: flat
out measures throughput (and latency under a full queue); paced measures relay latency.

CLIENTS connect at once; when all are in (each has read the server's welcome), each sends
LINES_EACH lines (flat out, or paced at RATE) while every client reads. Each line carries its send
time, so every relayed copy gives one relay latency. Prints one JSON line: how many
connected, lines sent, copies expected and delivered, the wall time, throughput (copies per
second) and latency percentiles in milliseconds.
"""

import asyncio
import json
import sys
import time


async def client(i, host, port, token, lines, all_in, results, expected_each, rate):
    reader, writer = await asyncio.open_connection(host, port)
    await reader.readline()  # the server's welcome: from now on we hear every line
    results["connected"] += 1
    await all_in.wait()
    received = 0

    async def read():
        nonlocal received
        while received < expected_each:
            line = await reader.readline()
            if not line:
                return
            text = line.decode(errors="replace")
            if f" {token} " in text:
                sent_ns = int(text.rsplit(" ", 1)[1])
                results["latencies"].append((time.monotonic_ns() - sent_ns) / 1e6)
                received += 1

    reading = asyncio.create_task(read())
    clients = expected_each // lines + 1 if lines else 1
    for j in range(lines):
        if rate:  # line j of client i goes out at its slot in one steady stream of RATE/s
            delay = results["t0"] + (j * clients + i) / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        writer.write(f"x {token} {i}.{j} {time.monotonic_ns()}\n".encode())
        await writer.drain()
        results["sent"] += 1
    await reading
    results["delivered"] += received
    writer.close()


async def main() -> None:
    token, clients, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rate = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    host = sys.argv[5] if len(sys.argv) > 5 else "chat"
    port = int(sys.argv[6]) if len(sys.argv) > 6 else 12345
    results = {"connected": 0, "sent": 0, "delivered": 0, "latencies": [], "t0": 0.0}
    all_in = asyncio.Event()
    expected_each = (clients - 1) * lines
    tasks = [
        asyncio.create_task(client(i, host, port, token, lines, all_in, results, expected_each, rate))
        for i in range(clients)
    ]
    while results["connected"] < clients and not any(t.done() for t in tasks):
        await asyncio.sleep(0.01)
    started = results["t0"] = time.monotonic()
    all_in.set()
    done, pending = await asyncio.wait(tasks, timeout=120)
    seconds = time.monotonic() - started
    for task in pending:
        task.cancel()
    errors = [repr(t.exception()) for t in done if t.exception()]
    lat = sorted(results.pop("latencies"))
    results.pop("t0")

    def pct(p: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 2) if lat else None

    print(json.dumps({
        **results, "clients": clients, "expected": expected_each * clients, "seconds": round(seconds, 3),
        "copies_per_s": round(results["delivered"] / seconds) if seconds else None,
        "lines_per_s": round(results["sent"] / seconds) if seconds else None,
        "p50_ms": pct(50), "p99_ms": pct(99), "errors": errors[:3], "timed_out": len(pending),
    }))  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
