"""Lab 12, the reference solution: the starter's experiment (step 1), then the loop that
sendall() hides, waiting on selectors until the socket is writable (step 2).

    python -m lab_runner lab12 --solution
"""

import os
import selectors
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
lines = int(os.environ.get("LAB_LINES", "6000"))
PORT = 12346
payload = b"".join(f"{n:06d} {token}\n".encode() for n in range(lines))

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", PORT))
listener.listen()
print(f"listening on port {PORT}, {len(payload)} bytes to send")
conn, addr = listener.accept()
print("a reader connected from", addr)
conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
conn.setblocking(False)

# Step 1: send() takes what fits in the send buffer, then raises BlockingIOError (EAGAIN).
sent = conn.send(payload)
print(f"send() took {sent} of {len(payload)} bytes")
try:
    while sent < len(payload):
        sent += conn.send(payload[sent:])
except BlockingIOError:
    print(f"then send() raised BlockingIOError (EAGAIN) at {sent} bytes")

# Step 2: keep the rest, wait until the socket is writable, send what it takes, and again.
rest = memoryview(payload)  # slices of a memoryview copy nothing
waits = 0
with selectors.DefaultSelector() as selector:  # epoll on Linux
    selector.register(conn, selectors.EVENT_WRITE)
    while sent < len(payload):
        selector.select()  # epoll_wait(): sleeps until the reader has made room
        waits += 1
        try:
            sent += conn.send(rest[sent:])
        except BlockingIOError:
            continue  # woken for nothing: wait again
print(f"{sent} of {len(payload)} bytes sent after {waits} waits; closing")
conn.close()
listener.close()
