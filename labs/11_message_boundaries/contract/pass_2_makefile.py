"""A buffered file over the socket (makefile): the file's reads take whatever has arrived, and
a message is read from it byte by byte up to the delimiter, which may be any byte."""

import os
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()

with socket.create_server(("0.0.0.0", 12346)) as server:
    while True:
        conn, _ = server.accept()
        with conn, conn.makefile("rb") as reader, conn.makefile("wb", buffering=0) as writer:
            message = b""
            while byte := reader.read(1):  # from the file's buffer: a recv() only when it is empty
                if byte == DELIMITER:
                    writer.write(message[::-1] + DELIMITER)
                    message = b""
                else:
                    message += byte
