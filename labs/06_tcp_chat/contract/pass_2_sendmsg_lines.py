"""Variant: sendmsg() with the three lines as a vector of buffers."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    c.sendmsg([f"{line}\n".encode() for line in (f"hi, this is {token}", f"how are you ({token})")])
    c.sendmsg([f"ok bye ({token})\n".encode()])
    c.shutdown(socket.SHUT_WR)
