"""Variant: os.write() and os.read() on the socket's fileno(): read(fd, ...) = 0 is the end too."""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

s = socket.create_connection(("flask", 5000))
os.write(s.fileno(), f"hello-{token}\r\n".encode())
answer = b""
while chunk := os.read(s.fileno(), 1024):
    answer += chunk
s.close()
print(answer[:80])
