"""Variant: sendto() with the address on an unconnected socket, and the classic tag[pid]: form."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendto(f"*****hello-{token}*****".encode(), "/dev/log")
    s.sendto(f"<132>lab3[{os.getpid()}]: all stars intact, token {token}".encode(), "/dev/log")
