"""Variant: O_NONBLOCK by fcntl, select.select() on the write set, and the socket kept
non-blocking for the request (a select() before each send and recv)."""

import fcntl
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

nb = socket.socket()
fcntl.fcntl(nb, fcntl.F_SETFL, fcntl.fcntl(nb, fcntl.F_GETFL) | os.O_NONBLOCK)
print(nb.connect_ex(("flask", 5000)))
_, writable, _ = select.select([], [nb], [], 5)
assert writable and not nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
todo = request
while todo:
    select.select([], [nb], [], 5)
    todo = todo[nb.send(todo) :]
answer = b""
while True:
    select.select([nb], [], [], 5)
    chunk = nb.recv(4096)
    if not chunk:
        break
    answer += chunk
print(answer[:15])
