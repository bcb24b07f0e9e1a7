"""Variant: the line's words sent from a file with sendfile(), its line end with os.writev()."""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

with open("/tmp/line", "wb") as f:
    f.write(f"hello-{token}".encode())
s = socket.create_connection(("flask", 5000))
with open("/tmp/line", "rb") as f:
    s.sendfile(f)
os.writev(s.fileno(), [b"\r", b"\n"])
answer = b""
while chunk := s.recv(4096):
    answer += chunk
s.close()
print(answer[:80])
