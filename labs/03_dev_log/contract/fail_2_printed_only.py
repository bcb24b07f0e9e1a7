"""Mistake: the step's datagram printed, never sent.
says: no datagram to /dev/log starts with a <PRI> header"""

import os
import socket

token = os.environ["LAB_TOKEN"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.send(f"*****hello-{token}*****".encode())
print(f"<132>lab3: words {token}")
