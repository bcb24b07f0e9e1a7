"""Variant: the request written through makefile("wb") in two flushed pieces, read the same way."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    print(s.recv(20))

with socket.create_connection(("flask", 5000)) as s, s.makefile("rwb") as f:
    f.write(f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
    f.flush()
    f.write(b"Host: flask\r\nConnection: close\r\n\r\n")
    f.flush()
    print(f.read()[:20])
