"""An attack on the checks: one real wait and one send on the socket, then the rest sent blocking
through a dup() of it (another descriptor, the same socket: O_NONBLOCK is the socket's, so the
dup's setblocking(True) makes both blocking).

says: blocking again
"""

import os
import selectors
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

with selectors.DefaultSelector() as sel:
    sel.register(conn, selectors.EVENT_WRITE)
    sel.select()
    sent += conn.send(payload[sent : sent + 1])
other = socket.socket(fileno=os.dup(conn.fileno()))
other.setblocking(True)
other.sendall(payload[sent:])
other.close()
conn.close()
