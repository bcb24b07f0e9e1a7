"""Variant: a helper that connects without blocking (selectors, epoll) and returns the socket."""

import errno
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


def connect_nonblocking(address, seconds=5.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    code = sock.connect_ex(address)
    if code not in (0, errno.EINPROGRESS):
        raise OSError(code, os.strerror(code))
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_WRITE)
        if not sel.select(seconds):
            raise TimeoutError(address)
    if err := sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
        raise OSError(err, os.strerror(err))
    sock.settimeout(5)
    return sock


with connect_nonblocking(("flask", 5000)) as nb:
    print(fetch(nb)[:15])
