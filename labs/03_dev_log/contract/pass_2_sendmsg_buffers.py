"""Variant: sendmsg() with the header, tag and message as three buffers of one datagram."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendmsg([f"*****hello-{token}*****".encode()], [], 0, "/dev/log")
    s.sendmsg([b"<132>", b"lab3: ", f"sent in three buffers, run {token}".encode()], [], 0, "/dev/log")
