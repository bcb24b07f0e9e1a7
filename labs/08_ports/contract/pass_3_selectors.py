"""Variant: two non-blocking chat connections under selectors, read until each server end."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]


def talk(host, port, data):
    with socket.create_connection((host, port)) as s:
        s.sendall(data.encode())
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass


talk("flask", 5000, f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n")
talk("chat", 12345, f"hello from lab 8, run {token}\n")


listener = socket.create_server(("127.0.0.1", 0))
port = listener.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port))
c.sendall(f"via {port} {token}".encode())
conn, _ = listener.accept()
print(conn.recv(100))
conn.close()
c.close()
listener.close()
print(socket.socket().connect_ex(("127.0.0.1", port)))

sel = selectors.DefaultSelector()
for n in (1, 2):
    s = socket.create_connection(("chat", 12345))
    print(f"connection {n}: {s.getsockname()} -> {s.getpeername()}")
    s.sendall(f"conn {n} {token}\n".encode())
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
for key in list(sel.get_map().values()):
    key.fileobj.shutdown(socket.SHUT_WR)
while sel.get_map():
    for key, _ in sel.select():
        data = key.fileobj.recv(4096)
        if data:
            print(key.fileobj.getsockname(), data)
        else:
            sel.unregister(key.fileobj)
            key.fileobj.close()
sel.close()
