"""create_server() dual-stack (IPv6 and IPv4 on one socket), and select.poll() with no timeout."""

import os
import select
import socket

token = os.environ["LAB_TOKEN"]
lines = int(os.environ.get("LAB_LINES", "6000"))
payload = b"".join(f"{n:06d} {token}\n".encode() for n in range(lines))
with socket.create_server(("", 12346), family=socket.AF_INET6, dualstack_ipv6=True) as listener:
    conn, _ = listener.accept()  # the reader comes from ::ffff:127.0.0.1
with conn:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    conn.setblocking(False)
    sent = conn.send(payload)
    poller = select.poll()
    poller.register(conn, select.POLLOUT)
    while sent < len(payload):
        try:
            sent += conn.send(payload[sent:])
        except BlockingIOError:
            poller.poll()  # no timeout: poll(..., -1)
