"""Lab 13, the reference solution: the article's one-client-at-a-time server (step 1), then the
same service as a single-threaded event loop on selectors (step 2).

    python -m lab_runner lab13 --solution
"""

import os
import selectors
import socket

END = os.environ.get("LAB_DELIMITER", "\n").encode()

PORT = 12347
EVENT_PORT = 12348

# Step 1: one client at a time, for the checks' two clients.
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", PORT))
listener.listen()
print(f"step 1: listening on port {PORT}, one client at a time")
for _ in range(2):
    conn, addr = listener.accept()
    pending = b""
    while data := conn.recv(1024):
        pending += data
        while END in pending:
            line, pending = pending.split(END, 1)
            conn.sendall(line[::-1] + END)
    conn.close()
listener.close()

# Step 2: one thread, one wait for every socket. select() returns the sockets that are ready,
# several at once when several clients sent; each gets one recv() and never blocks.
selector = selectors.DefaultSelector()  # epoll on Linux
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", EVENT_PORT))
server.listen(64)
server.setblocking(False)
selector.register(server, selectors.EVENT_READ, data=None)
print(f"step 2: listening on port {EVENT_PORT}, every client at once")
pending: dict[socket.socket, bytes] = {}
while True:
    for key, _ in selector.select():  # epoll_wait(): the ready ones, often several
        if key.data is None:  # the listener: a new client
            conn, addr = server.accept()
            conn.setblocking(False)
            selector.register(conn, selectors.EVENT_READ, data=addr)
            pending[conn] = b""
            continue
        conn = key.fileobj
        data = conn.recv(4096)  # ready: returns at once
        if not data:  # the client left
            selector.unregister(conn)
            conn.close()
            del pending[conn]
            continue
        pending[conn] += data
        *lines, pending[conn] = pending[conn].split(END)
        if lines:
            # Short answers to a client that reads: they fit in its socket buffer at once.
            conn.sendall(b"".join(line[::-1] + END for line in lines))
