"""Variant: a non-blocking connect_ex(); an injected refusal comes back at once as errno 111."""

import errno
import os
import selectors
import socket
import time

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()

delay = 0.1
for _ in range(7):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    code = sock.connect_ex(FLASK)
    if code == errno.EINPROGRESS:
        sel = selectors.DefaultSelector()
        sel.register(sock, selectors.EVENT_WRITE)
        sel.select(5)
        sel.close()
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code == 0:
        break
    sock.close()
    time.sleep(delay)
    delay *= 2
else:
    raise SystemExit("flask never answered")
sock.setblocking(True)
sock.sendall(request)
answer = b""
while chunk := sock.recv(4096):
    answer += chunk
sock.close()
print(answer[:15])
