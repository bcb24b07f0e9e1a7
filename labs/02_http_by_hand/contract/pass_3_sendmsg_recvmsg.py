"""Variant: sendmsg() for the request, recvmsg() for the head and then Content-Length bytes."""

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
    s.sendmsg([f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode()])
    s.sendmsg([b"Host: flask\r\n", b"Connection: close\r\n", b"\r\n"])
    print(whole(s)[:20])

s = socket.create_connection(("flask", 5000))
s.sendmsg([f"GET /?run={token}&len=1 HTTP/1.1\r\n".encode(), b"Host: flask\r\n", b"\r\n"])
data = b""
while b"\r\n\r\n" not in data:
    data += s.recvmsg(4096)[0]
head, _, body = data.partition(b"\r\n\r\n")
length = 0
for line in head.split(b"\r\n")[1:]:
    name, _, value = line.partition(b":")
    if name.strip().lower() == b"content-length":
        length = int(value)
while len(body) < length:
    body += s.recvmsg(length - len(body))[0]
s.close()
print(body)
