"""Variant: a non-blocking socket under selectors, read as it becomes readable, up to Content-Length."""

import os
import re
import selectors
import socket

token = os.environ["LAB_TOKEN"]


def whole(sock):
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    return got


with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    print(whole(s)[:20])

with socket.create_connection(("flask", 5000)) as s:  # step 2: in pieces
    s.sendall(f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
    s.sendall(b"Host: flask\r\nConnection: close\r\n\r\n")
    print(whole(s)[:20])

s = socket.create_connection(("flask", 5000))
s.sendall(f"GET /?run={token}&len=1 HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
s.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ)
data, need = b"", None
while need is None or len(data) < need:
    sel.select(timeout=5)
    data += s.recv(4096)
    if need is None and b"\r\n\r\n" in data:
        head = data.split(b"\r\n\r\n", 1)[0]
        need = len(head) + 4 + int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
sel.close()
s.close()
print(data[-12:])
