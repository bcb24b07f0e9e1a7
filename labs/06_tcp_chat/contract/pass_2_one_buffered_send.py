"""Variant: the three lines in one buffered send(): a stream has no message edges, and the server
still hears three lines."""

import os
import socket

token = os.environ["LAB_TOKEN"]
lines = [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]
with socket.create_connection(("chat", 12345)) as c:
    c.sendall("".join(f"{line}\n" for line in lines).encode())
    c.shutdown(socket.SHUT_WR)
