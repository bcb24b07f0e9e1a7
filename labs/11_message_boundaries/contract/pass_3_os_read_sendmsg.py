"""os.read() on the descriptors, sendmsg() for the replies (the prefix and the body as two
buffers); two threads, one per port."""

import os
import socket
import threading

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))


def read_exactly(fd, n):
    """N bytes from the descriptor FD; fewer only if the stream ended first."""
    data = b""
    while len(data) < n and (more := os.read(fd, n - len(data))):
        data += more
    return data


def sized(conn):
    fd = conn.fileno()
    while len(head := read_exactly(fd, WIDTH)) == WIDTH:
        body = read_exactly(fd, int.from_bytes(head, "big"))
        conn.sendmsg([len(body).to_bytes(WIDTH, "big"), body[::-1]])


def delimited(conn):
    fd, rest = conn.fileno(), b""
    while chunk := os.read(fd, 4096):
        *messages, rest = (rest + chunk).split(DELIMITER)
        for message in messages:
            conn.sendmsg([message[::-1], DELIMITER])


def serve(port, handle):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen()
    while True:
        conn, _ = server.accept()
        with conn:
            handle(conn)


threading.Thread(target=serve, args=(12347, sized), daemon=True).start()
serve(12346, delimited)
