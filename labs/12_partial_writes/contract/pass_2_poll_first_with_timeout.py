"""select.poll() with a timeout before every send, right after step 1's EAGAIN: the first poll follows
the EAGAIN (Python's own waits never do), so the loop is the program's."""

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

poller = select.poll()
poller.register(conn, select.POLLOUT)
while sent < len(payload):
    poller.poll(5000)
    sent += conn.send(payload[sent:])
conn.close()
