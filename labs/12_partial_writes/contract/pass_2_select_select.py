"""Send first; on BlockingIOError, select.select() until the socket is writable."""

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

while sent < len(payload):
    try:
        sent += conn.send(payload[sent:])
    except BlockingIOError:
        select.select([], [conn], [])
conn.close()
