"""Variant: every line of the request in a send() of its own."""

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

with socket.create_connection(("flask", 5000)) as s:
    for line in [f"GET /?run={token}&piece HTTP/1.1", "Host: flask", "Connection: close", ""]:
        s.sendall(f"{line}\r\n".encode())
    print(whole(s)[:20])
