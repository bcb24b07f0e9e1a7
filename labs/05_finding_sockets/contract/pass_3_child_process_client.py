"""Variant: the client is a child process (fork) that connects to the abstract name."""

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

name = "\0lab5-" + token
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(name)
server.listen()
if os.fork() == 0:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(name)
    c.sendall(f"child says {token}".encode())
    c.close()
    os._exit(0)
conn, _ = server.accept()
print(conn.recv(1024))
os.wait()
