"""A dual-stack IPv6 server: the checks' IPv4 client arrives as ::ffff:127.0.0.1. Threads, one
per client, each with its own buffer."""

import os
import socket
import threading

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()


def serve(conn):
    with conn:
        rest = b""
        while data := conn.recv(4096):
            rest += data
            *messages, rest = rest.split(DELIMITER)
            conn.sendall(b"".join(m[::-1] + DELIMITER for m in messages))


server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
server.bind(("::", 12346))
server.listen()
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
