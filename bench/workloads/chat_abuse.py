"""Misbehaving chat clients beside a good one; runs in the workbench (stdlib only).

    python3 chat_abuse.py TOKEN LINES [HOST PORT]

While these misbehave: U sends bytes that are not UTF-8, X resets its connection mid-line,
H closes its sending side and waits (half-open), R never reads (its receive buffer made tiny),
L sends a 100 KiB line; a sender S sends LINES lines of 1 KiB as fast as it can, and a
watcher W, who never says anything, must receive every one. Prints one JSON line saying what
each saw.
"""

import json
import socket
import struct
import sys
import threading
import time

token, lines = sys.argv[1], int(sys.argv[2])
addr = (sys.argv[3] if len(sys.argv) > 3 else "chat", int(sys.argv[4]) if len(sys.argv) > 4 else 12345)
result: dict = {}


def connect(rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(addr)
    s.settimeout(30)
    welcome = b""
    while not welcome.endswith(b"\n") and (byte := s.recv(1)):  # one line, not a byte more
        welcome += byte
    assert welcome.startswith(b"welcome: "), "no welcome from the server"  # now we are in the room
    s.settimeout(None)
    return s


def read_all(s: socket.socket, timeout: float) -> tuple[bytes, str]:
    """Everything until EOF, a reset or TIMEOUT seconds of silence; and how it ended."""
    s.settimeout(timeout)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
        return data, "eof"
    except ConnectionResetError:
        return data, "reset"
    except TimeoutError:
        return data, "open"


watcher = connect()
received = 0
last_at = 0.0


def watch() -> None:
    global received, last_at
    buf = b""
    watcher.settimeout(60)
    while received < lines:
        chunk = watcher.recv(1 << 16)
        if not chunk:
            break
        buf += chunk
        *full, buf = buf.split(b"\n")
        received += sum(f" {token} S ".encode() in line for line in full)
    last_at = time.monotonic()


watching = threading.Thread(target=watch)
watching.start()

u = connect()
u.sendall(b"caf\xe9 \xff\xfe " + token.encode() + b" U\n")
x = connect()
x.sendall(b"half a line from X")
x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
x.close()  # RST
h = connect()
h.sendall(f"{token} H then closing my side\n".encode())
h.shutdown(socket.SHUT_WR)
r = connect(rcvbuf=4096)
r.sendall(f"{token} R who never reads\n".encode())
long_line = connect()
long_line.sendall(b"L" * 100 * 1024 + b"\n")
time.sleep(0.2)

sender = connect()
started = time.monotonic()
payload = "p" * 1000
for i in range(lines):
    sender.sendall(f"{i} {token} S {payload}\n".encode())
watching.join(timeout=60)

result["watcher_received"] = received
result["lines"] = lines
result["seconds_to_last_line"] = round(last_at - started, 3) if last_at else None
result["long_line_client"] = read_all(long_line, 5)[0].decode(errors="replace").strip()[-80:]
result["half_open_client"] = read_all(h, 5)[1]
result["never_reader"] = read_all(r, 5)[1]  # "reset" or "eof": the server dropped it
for s in (u, r, long_line, sender, watcher, h):
    s.close()
print(json.dumps(result))
