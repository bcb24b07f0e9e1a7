"""Variant: sendmsg()/recvmsg(); the lab injects EINTR into the first recvmsg() too."""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()


def connect(address, tries=7):
    for n in range(tries):
        try:
            return socket.create_connection(address)
        except ConnectionRefusedError:
            time.sleep(0.1 * 2**n)
    raise SystemExit("never connected")


with connect(FLASK) as sock:
    sock.sendmsg([request])
    answer = b""
    while True:
        data, _, _, _ = sock.recvmsg(4096)
        if not data:
            break
        answer += data
print(answer[:15])
