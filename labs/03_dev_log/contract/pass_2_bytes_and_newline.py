"""Variant: bytes built by hand, os.write() on the descriptor, a trailing newline and a
timestamp with a pid in the tag."""

import os
import socket

token = os.environ["LAB_TOKEN"].encode()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
os.write(s.fileno(), b"xxhello " + token)
os.write(s.fileno(), b"<132>Dec 24 23:59:01 lab3[42]: warning words " + token + b"\n")
s.close()
