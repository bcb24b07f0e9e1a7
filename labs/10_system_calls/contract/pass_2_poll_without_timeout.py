"""Variant: a whole non-blocking client: setblocking(False), connect_ex(), and poll() with no
timeout before the SO_ERROR read, before the send and before each recv() (never Python's own wait)."""

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
print("connect_ex:", nb.connect_ex(("flask", 5000)))
waiter = select.poll()
waiter.register(nb, select.POLLOUT | select.POLLERR)
print(waiter.poll())
print("SO_ERROR:", nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
waiter.modify(nb, select.POLLOUT)
waiter.poll()  # writable again before the first send, the socket still non-blocking
nb.send(request)
waiter.modify(nb, select.POLLIN)
answer = b""
while True:
    waiter.poll()
    chunk = nb.recv(4096)
    if not chunk:
        break
    answer += chunk
print(answer[:15])
