"""Mistake: one recv() for the answer, its Content-Length never read: the body comes after the head.
says: not the whole head and Content-Length bytes of body"""

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
s.sendall(f"GET /?run={token}&len=1 HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
print(s.recv(4096))
s.close()
