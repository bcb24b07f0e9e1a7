"""An event loop that answers each recv() chunk as if it were a whole line.

says: keep a buffer per client
"""

import os
import selectors
import socket

END = os.environ.get("LAB_DELIMITER", "\n").encode()

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 12347))
listener.listen()
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

sel = selectors.DefaultSelector()
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 12348))
server.listen(64)
server.setblocking(False)
sel.register(server, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is server:
            conn, _ = server.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            continue
        data = key.fileobj.recv(4096)
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            continue
        key.fileobj.sendall(data.rstrip(END)[::-1] + END)
