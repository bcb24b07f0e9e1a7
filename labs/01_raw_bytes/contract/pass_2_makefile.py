"""Variant: a with block, a bare "\n" line end, and the answer read through makefile()."""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"hello-{token}\n".encode())
    with s.makefile("rb") as answer:
        print(answer.read()[:80])
