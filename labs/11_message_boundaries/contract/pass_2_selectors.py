"""One thread, non-blocking sockets and selectors: a buffer per connection in a dict."""

import os
import selectors
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()

sel = selectors.DefaultSelector()
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 12346))
server.listen()
server.setblocking(False)
sel.register(server, selectors.EVENT_READ)
pending = {}
while True:
    for key, _ in sel.select():
        if key.fileobj is server:
            conn, _ = server.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            pending[conn] = b""
            continue
        conn = key.fileobj
        data = conn.recv(4096)
        if not data:
            sel.unregister(conn)
            del pending[conn]
            conn.close()
            continue
        *messages, pending[conn] = (pending[conn] + data).split(DELIMITER)
        conn.setblocking(True)  # short replies; sendall() on a blocking socket sends them whole
        for message in messages:
            conn.sendall(message[::-1] + DELIMITER)
        conn.setblocking(False)
