"""recvmsg() and sendmsg(): the reply goes out as two buffers (the message, the delimiter)."""

import os
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 12346))
server.listen()
while True:
    conn, _ = server.accept()
    buffered = bytearray()
    while True:
        data, _, _, _ = conn.recvmsg(2048)
        if not data:
            break
        buffered += data
        while (end := buffered.find(DELIMITER)) >= 0:
            message = bytes(buffered[:end])
            del buffered[: end + 1]
            conn.sendmsg([message[::-1], DELIMITER])  # short: the kernel takes all of it
    conn.close()
