"""Variant: both datagrams written with os.write() on a connected socket's fileno()."""

import os
import socket

token = os.environ["LAB_TOKEN"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
os.write(s.fileno(), f"*****hello-{token}*****".encode())
os.write(s.fileno(), f"<132>lab3: whole this time, run {token}".encode())
s.close()
