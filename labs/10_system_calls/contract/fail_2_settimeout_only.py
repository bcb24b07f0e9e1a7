"""Mistake: settimeout() instead of a non-blocking socket: Python's connect() waits inside.
says: settimeout()"""

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

nb = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
nb.settimeout(5)
nb.connect(("flask", 5000))
print(nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
print(fetch(nb)[:15])
