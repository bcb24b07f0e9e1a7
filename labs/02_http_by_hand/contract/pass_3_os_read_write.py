"""Variant: os.write() and os.read() on the socket's fileno(), the body read by Content-Length."""

import os
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
os.write(s.fileno(), f"GET /?run={token}&len=1 HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
data = b""
while b"\r\n\r\n" not in data:
    data += os.read(s.fileno(), 4096)
head, _, body = data.partition(b"\r\n\r\n")
length = next(
    int(v) for k, _, v in (x.partition(b":") for x in head.split(b"\r\n")) if k.lower() == b"content-length"
)
while len(body) < length:
    body += os.read(s.fileno(), length - len(body))
s.close()
print(body)
