"""select() for the listener, but on accept it reads the client's first line at once, blocking:
the silent client, connected first, stalls everybody.

says: none of them got a single answer
"""

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
buffers = {}
while True:
    ready, _, _ = select.select([server, *buffers], [], [])
    for s in ready:
        if s is server:
            conn, _ = server.accept()
            buffers[conn] = conn.recv(4096)  # waits for this client's first bytes
            continue
        data = s.recv(4096)
        if not data:
            del buffers[s]
            s.close()
            continue
        buffers[s] += data
        while END in buffers[s]:
            line, buffers[s] = buffers[s].split(END, 1)
            s.sendall(line[::-1] + END)
