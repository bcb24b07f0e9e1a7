"""Mistake: the right PRI, but no tag: the first word of the message becomes the tag.
says: as the tag"""

import os
import socket

token = os.environ["LAB_TOKEN"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.send(f"*****hello-{token}*****".encode())
s.send(f"<132>hello from lab three {token}".encode())
