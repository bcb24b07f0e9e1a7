"""Mistake: catches the refusal, tries once more, and exits 0 without doing the work.
says: then it gave up"""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()

for _ in range(2):
    try:
        sock = socket.create_connection(FLASK)
    except ConnectionRefusedError as err:
        print("could not connect:", err)
        time.sleep(0.1)
        continue
    with sock:
        sock.sendall(request)
        while sock.recv(4096):
            pass
    break
