"""A thread per listener, buffered files over the connections: read(n) of a buffered file
returns n bytes (or fewer only at the end); struct unpacks the prefix."""

import os
import socket
import struct
import threading

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))
PREFIX = struct.Struct({2: "!H", 4: "!I"}[WIDTH])  # "!": network byte order (big-endian)


def delimited(reader, writer):
    message = b""
    while byte := reader.read(1):
        if byte == DELIMITER:
            writer.write(message[::-1] + DELIMITER)
            message = b""
        else:
            message += byte


def sized(reader, writer):
    while len(head := reader.read(PREFIX.size)) == PREFIX.size:
        (size,) = PREFIX.unpack(head)
        body = reader.read(size)
        if len(body) < size:
            return
        writer.write(PREFIX.pack(size) + body[::-1])


def serve(port, handle):
    with socket.create_server(("0.0.0.0", port)) as server:
        while True:
            conn, _ = server.accept()
            with conn, conn.makefile("rb") as reader, conn.makefile("wb", buffering=0) as writer:
                handle(reader, writer)


threading.Thread(target=serve, args=(12347, sized), daemon=True).start()
serve(12346, delimited)
