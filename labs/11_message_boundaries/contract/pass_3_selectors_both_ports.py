"""One thread, selectors over both listening sockets and every connection; each connection
keeps its bytes and knows its framing (the port it came in on)."""

import os
import selectors
import socket

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))


def by_delimiter(buffer):
    """The whole messages at the front of BUFFER, and what is left."""
    *messages, rest = buffer.split(DELIMITER)
    return [m[::-1] + DELIMITER for m in messages], rest


def by_length(buffer):
    replies = []
    while len(buffer) >= WIDTH and len(buffer) >= WIDTH + (size := int.from_bytes(buffer[:WIDTH], "big")):
        body, buffer = buffer[WIDTH : WIDTH + size], buffer[WIDTH + size :]
        replies.append(len(body).to_bytes(WIDTH, "big") + body[::-1])
    return replies, buffer


sel = selectors.DefaultSelector()
for port, framing in ((12347, by_length), (12346, by_delimiter)):
    listener = socket.create_server(("0.0.0.0", port))
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ, ("listener", framing))
buffers = {}
while True:
    for key, _ in sel.select():
        role, framing = key.data
        if role == "listener":
            conn, _ = key.fileobj.accept()
            sel.register(conn, selectors.EVENT_READ, ("conn", framing))
            buffers[conn] = b""
            continue
        conn = key.fileobj
        try:
            data = conn.recv(4096)
        except ConnectionError:
            data = b""
        if not data:
            sel.unregister(conn)
            del buffers[conn]
            conn.close()
            continue
        replies, buffers[conn] = framing(buffers[conn] + data)
        conn.setblocking(True)
        conn.sendall(b"".join(replies))
        conn.setblocking(False)
