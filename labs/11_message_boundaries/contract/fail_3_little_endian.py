"""Mistake: the lengths are read and written little-endian (the x86 order), not big-endian.
says: lengths read as little-endian"""

import os
import socket
import threading

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))


def recv_exactly(conn, n):
    data = b""
    while len(data) < n and (more := conn.recv(n - len(data))):
        data += more
    return data


def sized(conn):
    while len(head := recv_exactly(conn, WIDTH)) == WIDTH:
        body = recv_exactly(conn, int.from_bytes(head, "little"))
        conn.sendall(len(body).to_bytes(WIDTH, "little") + body[::-1])


def delimited(conn):
    pending = b""
    while data := conn.recv(1024):
        *messages, pending = (pending + data).split(DELIMITER)
        for m in messages:
            conn.sendall(m[::-1] + DELIMITER)


def serve(port, handle):
    server = socket.create_server(("0.0.0.0", port))
    while True:
        conn, _ = server.accept()
        with conn:
            handle(conn)


threading.Thread(target=serve, args=(12347, sized), daemon=True).start()
serve(12346, delimited)
