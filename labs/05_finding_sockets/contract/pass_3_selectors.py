"""Variant: non-blocking ends under selectors: accept, then read when readable, on the abstract name."""

import os
import selectors
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
server.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(server, selectors.EVENT_READ)
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(name)
client.sendall(f"hi {token}".encode())
client.close()
done = False
while not done:
    for key, _ in sel.select():
        if key.fileobj is server:
            conn, _ = server.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
        else:
            data = key.fileobj.recv(100)
            print("received:", data)
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                done = True
sel.close()
server.close()
