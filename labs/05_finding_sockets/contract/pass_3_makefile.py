"""Variant: the abstract name as bytes, the message through makefile() at both ends."""

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

name = b"\0" + f"lab5-{token}".encode()
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(name)
server.listen()
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(name)
conn, _ = server.accept()
with client.makefile("wb") as out:
    out.write(f"hi {token}\n".encode())
with conn.makefile("rb") as got:
    print(got.readline())
