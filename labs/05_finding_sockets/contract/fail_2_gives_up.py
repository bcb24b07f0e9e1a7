"""Mistake: EADDRINUSE is caught, but nothing binds the path again.
says: and listened after a bind() there failed with EADDRINUSE"""

import os
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    again.bind(path)
except OSError as err:
    print("taken:", err)
