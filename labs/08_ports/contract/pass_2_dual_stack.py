"""Variant: a dual-stack listener on port 0 ("::"), reached over IPv4 at 127.0.0.1."""

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

listener = socket.create_server(("::", 0), family=socket.AF_INET6, dualstack_ipv6=True)
port = listener.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port))
c.sendall(f"via {port} {token}".encode())
conn, addr = listener.accept()
print(addr, conn.recv(100))
conn.close()
c.close()
listener.close()
try:
    socket.create_connection(("127.0.0.1", port))
except ConnectionRefusedError as err:
    print("refused:", err)
