"""Variant: send() in a loop, recv_into() a buffer until it reads 0 bytes."""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

s = socket.socket()
s.connect(("flask", 5000))
data = f"hello-{token}\r\n".encode()
while data:
    data = data[s.send(data) :]
buf = bytearray(512)
got = []
while (n := s.recv_into(buf)) > 0:
    got.append(bytes(buf[:n]))
print(b"".join(got)[:80])
s.close()
