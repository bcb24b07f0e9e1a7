"""Variant: a helper function, small recv()s (the answer comes in many pieces), os.write()."""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()


def ask(line):
    s = socket.create_connection(("flask", 5000))
    os.write(s.fileno(), line)
    parts = []
    while True:
        part = s.recv(64)
        if part == b"":
            break
        parts.append(part)
    s.close()
    return b"".join(parts)


print(ask(f"hello-{token}\r\n".encode())[:80])
