"""Variant: after the wait (select.select), the request and answer through os.write()/os.read()
on the descriptor, the socket left non-blocking and read when select says readable."""

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

nb = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
nb.setblocking(False)
nb.connect_ex(("flask", 5000))
select.select([], [nb], [], 5)
assert nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
fd = nb.fileno()
os.write(fd, request)
answer = b""
while True:
    select.select([nb], [], [], 5)
    chunk = os.read(fd, 4096)
    if not chunk:
        break
    answer += chunk
nb.close()
print(answer[:15])
