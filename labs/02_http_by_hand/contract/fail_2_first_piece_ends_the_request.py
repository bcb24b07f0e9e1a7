"""Mistake: the first piece already holds the empty line, the second is a body nobody asked for.
says: empty line"""

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
    s.sendall(f"GET /?run={token}&early HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
    s.sendall(b"Connection: close\r\n\r\n")
    s.settimeout(2)
    print(s.recv(4096)[:20])
