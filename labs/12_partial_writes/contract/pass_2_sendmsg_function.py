"""A helper of its own: sendmsg() of a memoryview, waiting with selectors."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]
lines = int(os.environ.get("LAB_LINES", "6000"))
payload = b"".join(f"{n:06d} {token}\n".encode() for n in range(lines))
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 12346))
listener.listen()
conn, _ = listener.accept()
conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
conn.setblocking(False)
sent = conn.send(payload)
try:
    while sent < len(payload):
        sent += conn.send(payload[sent:])
except BlockingIOError:
    pass


def send_rest(sock, data, done):
    view = memoryview(data)
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_WRITE)
        while done < len(data):
            try:
                done += sock.sendmsg([view[done:]])
            except BlockingIOError:
                sel.select()
    return done


sent = send_rest(conn, payload, sent)
conn.shutdown(socket.SHUT_WR)
conn.close()
