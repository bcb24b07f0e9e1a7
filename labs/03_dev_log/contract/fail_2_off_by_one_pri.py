"""Mistake: PRI computed as facility * 8 + severity with local0 counted as 17 (off by one).
says: local0 is facility 16, not 17"""

import os
import socket

token = os.environ["LAB_TOKEN"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.send(f"*****hello-{token}*****".encode())
s.send(f"<140>lab3: words {token}".encode())
