"""Variant: the abstract name as bytes, the client a separate socket in a with block."""

import os
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    again.bind(path)
except OSError as err:
    print("taken:", err)
os.unlink(path)
again.bind(path)
again.listen()
again.close()

name = b"\0my-abstract-" + token.encode()
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
    server.bind(name)
    server.listen()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(name)
        conn, _ = server.accept()
        client.sendall(f"over the abstract name {token}".encode())
        print(conn.recv(100))
        conn.close()
