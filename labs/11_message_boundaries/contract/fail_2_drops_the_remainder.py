"""Mistake: each recv() is split at the delimiter, and what follows the last one is dropped.
says: keep them for the next recv()"""

import os
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()

server = socket.create_server(("0.0.0.0", 12346))
while True:
    conn, _ = server.accept()
    with conn:
        while data := conn.recv(1024):
            for message in data.split(DELIMITER)[:-1]:  # the last part: dropped, not kept
                conn.sendall(message[::-1] + DELIMITER)
