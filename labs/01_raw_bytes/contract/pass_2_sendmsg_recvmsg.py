"""Variant: sendmsg() with the line and its end in two buffers, recvmsg() until it returns b''."""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("flask", 5000))
s.sendmsg([f"hello-{token}".encode(), b"\r\n"])
answer = b""
while True:
    data, _, _, _ = s.recvmsg(2048)
    if not data:
        break
    answer += data
s.close()
print(answer[:80])
