"""Sends in 64 KiB pieces, waiting for writable, but never reads send()'s count.

says: bytes arrived
"""

import contextlib
import os
import select
import socket

token = os.environ["LAB_TOKEN"]
lines = int(os.environ.get("LAB_LINES", "6000"))
payload = b"".join(f"{n:06d} {token}\n".encode() for n in range(lines))
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 12346))
listener.listen()
conn, _ = listener.accept()
conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
conn.setblocking(False)
sent = conn.send(payload)
try:
    while sent < len(payload):
        sent += conn.send(payload[sent:])
except BlockingIOError:
    pass

for start in range(sent, len(payload), 65536):
    select.select([], [conn], [])
    with contextlib.suppress(BlockingIOError):
        conn.send(payload[start : start + 65536])  # what it did not take is lost
conn.close()
