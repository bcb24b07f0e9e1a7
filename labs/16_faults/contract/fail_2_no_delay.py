"""Mistake: tries again at once, hammering the server with connect()s.
says: is no wait"""

import os
import socket

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()

for _ in range(50):
    try:
        sock = socket.create_connection(FLASK)
        break
    except ConnectionRefusedError:
        continue
with sock:
    sock.sendall(request)
    while sock.recv(4096):
        pass
