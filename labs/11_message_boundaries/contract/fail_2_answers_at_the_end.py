"""Mistake: the server reads until the client closes its end, then frames and answers it all.
says: only after the client had closed its end"""

import os
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()

server = socket.create_server(("0.0.0.0", 12346))
while True:
    conn, _ = server.accept()
    with conn:
        stream = b""
        while data := conn.recv(1024):
            stream += data
        for message in stream.split(DELIMITER)[:-1]:
            conn.sendall(message[::-1] + DELIMITER)
