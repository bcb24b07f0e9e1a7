"""Variant: socket.create_connection() with a timeout (Python waits in poll() before each recv)."""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

with socket.create_connection(("flask", 5000), timeout=5) as s:
    s.sendall(f"hello-{token}\n".encode())
    parts = []
    while chunk := s.recv(100):
        parts.append(chunk)
print(b"".join(parts)[:80])
