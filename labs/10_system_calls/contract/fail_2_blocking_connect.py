"""Mistake: a second connection, but a blocking one (connect() = 0).
says: returned -1 EINPROGRESS"""

import os
import socket

token = os.environ["LAB_TOKEN"]
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()


def fetch(sock):
    sock.sendall(request)
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    return answer


with socket.create_connection(("flask", 5000)) as first:
    print(fetch(first)[:15])

with socket.create_connection(("flask", 5000)) as second:
    print(second.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    print(fetch(second)[:15])
