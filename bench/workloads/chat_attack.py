"""A healthy pair's relay latency while attackers work on the chat room; runs in the workbench.

    python3 chat_attack.py TOKEN ATTACK [SECONDS [CROWD [HOST PORT]]]

ATTACK is one of
    bigline  one client sends a 16 KiB line of bytes that are not UTF-8, again every 0.25 s
    burst    one client sends 200 lines of 1 KiB at once, again every 4 s
    flood    one client sends 1 KiB lines as fast as it can, and comes back when dropped
    none     nobody attacks (the baseline)
and CROWD clients (default 500) sit in the room and never read. A sends a line to the room
every 25 ms for SECONDS (default 8); B, who reads everything, times each of A's lines from
send to arrival. The attack starts 1 s in and stops 1 s before the end. Prints one JSON line:
the latencies' p50/p99/max in ms, how many of A's lines B got, and what the attack did
(whom the server dropped, its log says).
"""

import contextlib
import json
import socket
import sys
import threading
import time

token, attack = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 8.0
crowd_size = int(sys.argv[4]) if len(sys.argv) > 4 else 500
addr = (sys.argv[5] if len(sys.argv) > 5 else "chat", int(sys.argv[6]) if len(sys.argv) > 6 else 12345)
result: dict = {"attack": attack, "crowd": crowd_size}


def connect(rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(addr)
    s.settimeout(30)
    welcome = b""
    while not welcome.endswith(b"\n") and (byte := s.recv(1)):  # one line, not a byte more
        welcome += byte
    assert welcome.startswith(b"welcome: "), f"no welcome from the server: {welcome!r}"
    s.settimeout(None)
    return s


crowd = [connect(rcvbuf=4096) for _ in range(crowd_size)]  # in the room, never reading
a, b = connect(), connect()
latencies: list[float] = []
stop = threading.Event()


def listen() -> None:
    """B: every line of A's (it carries its send time) gives one latency."""
    buf = b""
    b.settimeout(1)
    mark = f" {token} A ".encode()
    while not stop.is_set():
        try:
            chunk = b.recv(1 << 20)
        except TimeoutError:
            continue
        if not chunk:
            break
        buf += chunk
        *full, buf = buf.split(b"\n")
        now = time.monotonic_ns()
        latencies.extend((now - int(line.rsplit(b" ", 1)[1])) / 1e6 for line in full if mark in line)


counts = {"attack_lines": 0, "attacker_dropped": 0}


def drain(s: socket.socket) -> None:
    """A reads what the room says too (it is a healthy client), and throws it away."""
    with contextlib.suppress(OSError):
        while s.recv(1 << 20):
            pass


def attacker(until: float) -> None:
    s = connect()
    big = bytes(range(128, 256)) * 128  # 16 KiB, none of it UTF-8
    kib = b"k" * 1000
    i = 0
    try:
        while time.monotonic() < until:
            try:
                if attack == "bigline":
                    s.sendall(big + f" {token}\n".encode())
                    counts["attack_lines"] += 1
                    time.sleep(0.25)
                elif attack == "burst":
                    s.sendall(b"".join(b"%d %s %s\n" % (j, token.encode(), kib) for j in range(200)))
                    counts["attack_lines"] += 200
                    time.sleep(4)
                elif attack == "flood":
                    i += 1
                    s.sendall(b"%d %s %s\n" % (i, token.encode(), kib))
                    counts["attack_lines"] += 1
            except OSError:  # dropped by the server: come back, as a real attacker would
                counts["attacker_dropped"] += 1
                s.close()
                s = connect()
    finally:
        s.close()


listening = threading.Thread(target=listen, daemon=True)
listening.start()
threading.Thread(target=drain, args=(a,), daemon=True).start()
started = time.monotonic()
attacking = None
if attack != "none":
    attacking = threading.Thread(target=attacker, args=(started + seconds - 1,), daemon=True)
    threading.Timer(1.0, attacking.start).start()
sent = 0
while time.monotonic() < started + seconds:
    a.sendall(f"{sent} {token} A {time.monotonic_ns()}\n".encode())
    sent += 1
    time.sleep(0.025)
if attacking:
    attacking.join(timeout=30)
deadline = time.monotonic() + 10
while len(latencies) < sent and time.monotonic() < deadline:
    time.sleep(0.05)
stop.set()
listening.join(timeout=5)


lat = sorted(latencies)


def pct(p: float) -> float | None:
    return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 1) if lat else None


result.update(counts)
result.update({
    "sent": sent, "received": len(lat), "p50_ms": pct(50), "p99_ms": pct(99),
    "max_ms": round(lat[-1], 1) if lat else None,
})  # fmt: skip
for s in [*crowd, a, b]:
    s.close()
print(json.dumps(result))
