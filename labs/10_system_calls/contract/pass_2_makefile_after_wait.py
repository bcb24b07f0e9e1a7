"""Variant: the wait with selectors, then the socket made blocking and read through makefile()."""

import os
import selectors
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
with selectors.DefaultSelector() as sel:
    sel.register(nb, selectors.EVENT_WRITE)
    sel.select(timeout=5)
print("SO_ERROR:", nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
nb.setblocking(True)
with nb.makefile("rwb") as f:
    f.write(request)
    f.flush()
    print(f.read()[:15])
nb.close()
