"""Variant: the request as bytes, cut in the middle of the request line."""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]


def whole(sock):
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    return got


with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    print(whole(s)[:20])

request = f"GET /?run={token}&pieces=yes HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()
s = socket.socket()
s.connect(("flask", 5000))
s.send(request[:7])
time.sleep(0.1)
s.sendall(request[7:])
print(whole(s)[:20])
s.close()
