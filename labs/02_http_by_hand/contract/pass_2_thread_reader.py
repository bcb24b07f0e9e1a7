"""Variant: a thread reads the answer until b'' while the main thread sends the request in two pieces."""

import os
import socket
import threading

token = os.environ["LAB_TOKEN"]


def whole(sock):
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    print(got[:40])


with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    whole(s)

s = socket.create_connection(("flask", 5000))
reader = threading.Thread(target=whole, args=(s,))
reader.start()
s.sendall(f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
s.sendall(b"Host: flask\r\nConnection: close\r\n\r\n")
reader.join()
s.close()
