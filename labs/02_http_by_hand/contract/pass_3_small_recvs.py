"""Variant: recv() of 16 bytes at a time, lower-case header names, a helper."""

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


def read_answer(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(16)
    head, _, body = data.partition(b"\r\n\r\n")
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (x.partition(b":") for x in head.split(b"\r\n")[1:])
    }
    need = int(headers[b"content-length"])
    while len(body) < need:
        body += sock.recv(min(16, need - len(body)))
    return head.split(b"\r\n")[0], body


s = socket.create_connection(("flask", 5000))
s.sendall(f"GET /?run={token}&len=2 HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
print(read_answer(s))
s.close()
