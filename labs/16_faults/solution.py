"""Lab 16, the reference: tries again with backoff, reconnects and resumes where it failed."""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()


def connect(address, tries=7, delay=0.1):
    """A connected socket to ADDRESS, after up to TRIES attempts, each wait twice the last."""
    for attempt in range(1, tries + 1):
        try:
            return socket.create_connection(address, timeout=5)
        except ConnectionRefusedError as err:
            if attempt == tries:
                raise
            print(f"attempt {attempt} to {address[0]}:{address[1]}: {err}; again in {delay:.1f} s")
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def fetch(sock):
    sock.sendall(request)
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    return answer


def welcomed(address):
    """A connection to chat, its welcome line read (closing with it unread would send an RST)."""
    sock = connect(address)
    seen = b""
    while not seen.endswith(b"\n") and (chunk := sock.recv(1)):
        seen += chunk
    return sock


with connect(FLASK) as sock:
    print("step 2:", fetch(sock).split(b"\r\n", 1)[0].decode())

lines = [f"{token} line {n}/{LINES}\n".encode() for n in range(1, LINES + 1)]
sock = welcomed(CHAT)
n = 0
while n < len(lines):
    try:
        sock.sendall(lines[n])
        n += 1
    except ConnectionResetError as err:
        print(f"step 3: line {n + 1} failed ({err}): connecting again, and going on from it")
        sock.close()
        sock = welcomed(CHAT)
sock.close()
print(f"step 3: {len(lines)} lines sent")
