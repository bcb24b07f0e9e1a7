"""Variant: the listener on port 0, the token written and read through makefile() at both ends."""

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

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
port = listener.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port))
with c.makefile("w") as out:
    out.write(f"via {port} {token}\n")
conn, _ = listener.accept()
with conn.makefile("r") as lines:
    print(lines.readline())
conn.close()
c.close()
listener.close()
try:
    socket.create_connection(("127.0.0.1", port))
except ConnectionRefusedError as err:
    print("refused:", err)
