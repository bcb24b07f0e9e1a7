"""os.read() and os.write() on the connection's descriptor; bytes.partition() frames them."""

import os
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 12346))
server.listen()
while True:
    conn, _ = server.accept()
    fd, rest = conn.fileno(), b""
    while chunk := os.read(fd, 4096):
        rest += chunk
        while DELIMITER in rest:
            message, _, rest = rest.partition(DELIMITER)
            reply = message[::-1] + DELIMITER
            while reply:  # os.write() may write less than it was given
                reply = reply[os.write(fd, reply) :]
    conn.close()
