"""Variant: the request's pieces through os.write() on the socket's fileno(), read with os.read()."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    print(s.recv(20))

s = socket.create_connection(("flask", 5000))
os.write(s.fileno(), f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
os.writev(s.fileno(), [b"Host: flask\r\n", b"Connection: close\r\n\r\n"])
answer = b""
while chunk := os.read(s.fileno(), 4096):
    answer += chunk
s.close()
print(answer[:20])
