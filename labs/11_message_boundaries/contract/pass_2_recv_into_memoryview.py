"""recv_into() a fixed buffer through a memoryview: the bytes of a message not yet whole stay at
the front of the buffer, and the next recv_into() writes after them."""

import os
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()[0]

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", 12346))
server.listen(5)
buffer = bytearray(65536)
view = memoryview(buffer)
while True:
    conn, _ = server.accept()
    kept = 0  # bytes at the front of the buffer: the start of a message
    while n := conn.recv_into(view[kept:]):
        end, start = kept + n, 0
        for i in range(kept, end):
            if buffer[i] == DELIMITER:
                conn.sendall(bytes(buffer[start:i])[::-1] + bytes([DELIMITER]))
                start = i + 1
        buffer[: end - start] = buffer[start:end]
        kept = end - start
    conn.close()
