"""Dual-stack IPv6 listeners on both ports (the checks' IPv4 client arrives as
::ffff:127.0.0.1), a thread per port; recv() in loops."""

import os
import socket
import threading

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))


def read_exactly(conn, n):
    """N bytes from CONN; fewer only if the stream ended first."""
    data = b""
    while len(data) < n and (more := conn.recv(n - len(data))):
        data += more
    return data


def sized(conn):
    while len(head := read_exactly(conn, WIDTH)) == WIDTH:
        body = read_exactly(conn, int.from_bytes(head, "big"))
        conn.sendall(len(body).to_bytes(WIDTH, "big") + body[::-1])


def delimited(conn):
    rest = b""
    while chunk := conn.recv(4096):
        *messages, rest = (rest + chunk).split(DELIMITER)
        conn.sendall(b"".join(m[::-1] + DELIMITER for m in messages))


def serve(port, handle):
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.bind(("::", port))
    server.listen()
    while True:
        conn, _ = server.accept()
        with conn:
            handle(conn)


threading.Thread(target=serve, args=(12347, sized), daemon=True).start()
serve(12346, delimited)
