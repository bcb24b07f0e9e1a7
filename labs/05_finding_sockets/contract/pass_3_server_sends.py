"""Variant: the accepted end sends the token, the client receives it."""

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

name = "\0" + token + "-abstract"
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(name)
server.listen(5)
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(name)
conn, _ = server.accept()
conn.send(f"from the server {token}".encode())
print(client.recv(1024))
for s in (client, conn, server):
    s.close()
