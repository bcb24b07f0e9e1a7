"""Variant: each line written with os.write() on the socket's fileno(), half a line at a time."""

import os
import socket

token = os.environ["LAB_TOKEN"]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("chat", 12345))
for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
    data = f"{line}\n".encode()
    os.write(s.fileno(), data[:5])
    os.write(s.fileno(), data[5:])
s.shutdown(socket.SHUT_WR)
s.close()
