"""Variant: bound to ("", 0), the listener receives with recv_into, OSError caught."""

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

ls = socket.socket()
ls.bind(("", 0))
ls.listen()
port = ls.getsockname()[1]
cl = socket.socket()
cl.connect(("127.0.0.1", port))
cl.send(f"{token} on port {port}".encode())
conn, _ = ls.accept()
buf = bytearray(100)
n = conn.recv_into(buf)
print(buf[:n])
for s in (conn, cl, ls):
    s.close()
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
except OSError as err:
    print("as expected:", err)
