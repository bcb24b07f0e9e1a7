"""Variant: a thread reads the answer by its Content-Length while the main thread sends the request."""

import os
import socket
import threading

token = os.environ["LAB_TOKEN"]


def whole(sock):
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    return got


with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    print(whole(s)[:20])

with socket.create_connection(("flask", 5000)) as s:  # step 2: in pieces
    s.sendall(f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
    s.sendall(b"Host: flask\r\nConnection: close\r\n\r\n")
    print(whole(s)[:20])


def read_answer(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += sock.recv(length - len(body))
    print(head.split(b"\r\n")[0], body)


s = socket.create_connection(("flask", 5000))
reader = threading.Thread(target=read_answer, args=(s,))
reader.start()
s.sendall(f"GET /?run={token}&len=1 HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
reader.join()
s.close()
