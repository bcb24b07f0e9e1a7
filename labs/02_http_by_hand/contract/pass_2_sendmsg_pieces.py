"""Variant: two sendmsg() calls, the head's lines as a vector of buffers."""

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

s = socket.create_connection(("flask", 5000))
s.sendmsg([b"GET /?run=", token.encode(), b"&v=msg HTTP/1.1\r\n"])
s.sendmsg([b"Host: flask\r\n", b"Connection: close\r\n", b"\r\n"])
print(whole(s)[:20])
s.close()
