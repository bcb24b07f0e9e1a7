"""Variant: a non-blocking socket under selectors: each piece sent when the socket is writable."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]


def whole(sock):
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    return got


with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    print(whole(s)[:20])

pieces = [f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode(), b"Host: flask\r\nConnection: close\r\n\r\n"]
s = socket.create_connection(("flask", 5000))
s.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_WRITE)
answer = b""
done = False
while not done:
    for _key, events in sel.select():
        if events & selectors.EVENT_WRITE:
            sent = s.send(pieces[0])
            pieces[0] = pieces[0][sent:]
            if not pieces[0]:
                pieces.pop(0)
            if not pieces:
                sel.modify(s, selectors.EVENT_READ)
        else:
            chunk = s.recv(4096)
            if not chunk:
                done = True
            answer += chunk
sel.close()
s.close()
print(answer[:20])
