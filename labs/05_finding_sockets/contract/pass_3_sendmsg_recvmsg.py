"""Variant: the abstract name, the message sent with sendmsg() and received with recvmsg()."""

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

name = f"\0lab5-{token}"
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(name)
server.listen()
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(name)
conn, _ = server.accept()
client.sendmsg([b"hi ", token.encode()])
print(conn.recvmsg(100)[0])
