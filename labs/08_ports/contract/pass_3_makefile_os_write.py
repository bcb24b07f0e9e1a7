"""Variant: one connection writes through makefile(), the other with os.write() on its fileno()."""

import os
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

a = socket.create_connection(("chat", 12345))
b = socket.create_connection(("chat", 12345))
print(a.getsockname(), b.getsockname())
with a.makefile("wb") as f:
    f.write(f"a says {token}\n".encode())
os.write(b.fileno(), f"b says {token}\n".encode())
for s in (a, b):
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
