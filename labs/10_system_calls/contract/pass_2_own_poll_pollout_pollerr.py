"""Variant: setblocking(False), connect_ex(), and a poll() of the program's own asking
POLLOUT|POLLERR (what Python's settimeout() asks too: the trace must not take it for that)."""

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
print(waiter.poll(5000))
print("SO_ERROR:", nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
nb.setblocking(True)
print(fetch(nb)[:15])
