"""Variant: SOCK_NONBLOCK at socket(), connect() raising BlockingIOError, select.poll()."""

import os
import select
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

nb = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
try:
    nb.connect(("flask", 5000))
except BlockingIOError:
    print("in progress")
waiter = select.poll()
waiter.register(nb, select.POLLOUT)
assert waiter.poll(5000)
assert nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
nb.setblocking(True)
print(fetch(nb)[:15])
