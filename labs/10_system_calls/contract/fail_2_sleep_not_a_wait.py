"""Mistake: a sleep instead of a wait for writable: SO_ERROR read a second later says nothing.
says: a sleep is not that wait"""

import os
import socket
import time

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
nb.setblocking(False)
nb.connect_ex(("flask", 5000))
time.sleep(1)
print("SO_ERROR:", nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
nb.setblocking(True)
print(fetch(nb)[:15])
