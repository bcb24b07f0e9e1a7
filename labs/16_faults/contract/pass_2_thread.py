"""Variant: the fetch in a thread of its own (strace counts per thread: its first three are refused)."""

import os
import socket
import threading
import time

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()


def fetch():
    delay = 0.1
    for _ in range(7):
        try:
            sock = socket.create_connection(FLASK, timeout=5)
            break
        except ConnectionRefusedError:
            time.sleep(delay)
            delay *= 2
    else:
        return
    with sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    print(answer[:15])


t = threading.Thread(target=fetch)
t.start()
t.join()
