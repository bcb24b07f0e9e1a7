"""Variant: a non-blocking socket and selectors: read when readable, until recv() returns b''."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

sel = selectors.DefaultSelector()
s = socket.create_connection(("flask", 5000))
s.sendall(f"hello-{token}\r\n".encode())
s.setblocking(False)
sel.register(s, selectors.EVENT_READ)
answer = b""
done = False
while not done:
    for _key, _ in sel.select(timeout=5):
        chunk = s.recv(4096)
        if not chunk:
            done = True
        answer += chunk
sel.close()
s.close()
print(answer[:80])
