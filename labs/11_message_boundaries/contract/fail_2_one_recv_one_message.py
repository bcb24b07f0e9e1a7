"""Mistake: each recv() is taken for one message (the starter, answering what recv() returned).
says: one recv() is not one message"""

import os
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()

server = socket.create_server(("0.0.0.0", 12346))
while True:
    conn, _ = server.accept()
    with conn:
        while data := conn.recv(1024):
            conn.sendall(data.rstrip(DELIMITER)[::-1] + DELIMITER)
