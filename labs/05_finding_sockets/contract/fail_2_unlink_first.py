"""Mistake: the file is removed before the second bind is even tried: no EADDRINUSE is seen.
says: EADDRINUSE"""

import os
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

os.unlink(path)
again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
again.bind(path)
again.listen()
