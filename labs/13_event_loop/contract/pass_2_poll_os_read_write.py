"""select.poll() on descriptors, os.read() and os.write() on them."""

import os
import select
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

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 12348))
server.listen(64)
poller = select.poll()
poller.register(server.fileno(), select.POLLIN)
clients = {}  # fd -> [socket, buffer]
while True:
    for fd, _events in poller.poll():
        if fd == server.fileno():
            conn, _ = server.accept()
            clients[conn.fileno()] = [conn, b""]
            poller.register(conn.fileno(), select.POLLIN)
            continue
        data = os.read(fd, 4096)
        if not data:
            poller.unregister(fd)
            clients.pop(fd)[0].close()
            continue
        clients[fd][1] += data
        *lines, clients[fd][1] = clients[fd][1].split(END)
        for line in lines:
            os.write(fd, line[::-1] + END)
