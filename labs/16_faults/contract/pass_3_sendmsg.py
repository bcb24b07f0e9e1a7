"""Variant: one sendmsg() per line; the lab resets the fourth sendmsg()."""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()
lines = [f"{token} line {n}/{LINES}\n".encode() for n in range(1, LINES + 1)]


def connect(address, tries=7):
    for n in range(tries):
        try:
            sock = socket.create_connection(address, timeout=5)
        except ConnectionRefusedError:
            time.sleep(0.1 * 2**n)
            continue
        if address == CHAT:
            sock.makefile("rb").readline()  # the welcome line
        return sock
    raise SystemExit(f"never connected to {address}")


with connect(FLASK) as sock:
    sock.sendall(request)
    while sock.recv(4096):
        pass

sock = connect(CHAT)
pending = list(lines)
while pending:
    try:
        sock.sendmsg([pending[0]])
        pending.pop(0)
    except ConnectionResetError:
        sock.close()
        sock = connect(CHAT)
sock.close()
