"""Variant: a socket.socket() of its own per try, the answer read through makefile() (recv_into)."""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()

delay = 0.15
for _ in range(8):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.connect(FLASK)
        break
    except OSError as err:
        sock.close()
        print("refused:", err)
        time.sleep(delay)
        delay *= 1.8
else:
    raise SystemExit("flask never answered")
with sock, sock.makefile("rwb") as f:
    f.write(request)
    f.flush()
    print(f.read()[:15])
