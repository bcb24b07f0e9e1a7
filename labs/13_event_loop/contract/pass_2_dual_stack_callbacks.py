"""A dual-stack listener (IPv6 and IPv4 on one socket) and selectors with a callback per key."""

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
server = socket.create_server(("", 12348), family=socket.AF_INET6, dualstack_ipv6=True, backlog=64)
server.setblocking(False)


def accept(_sock):
    conn, _ = server.accept()  # the checks' clients come from ::ffff:127.0.0.1
    conn.setblocking(False)
    sel.register(conn, selectors.EVENT_READ, (answer, [b""]))


def answer(conn, pending):
    data = conn.recv(4096)
    if not data:
        sel.unregister(conn)
        conn.close()
        return
    *lines, pending[0] = (pending[0] + data).split(END)
    for line in lines:
        conn.sendall(line[::-1] + END)


sel.register(server, selectors.EVENT_READ, (accept, None))
while True:
    for key, _ in sel.select():
        handler, state = key.data
        handler(key.fileobj) if state is None else handler(key.fileobj, state)
