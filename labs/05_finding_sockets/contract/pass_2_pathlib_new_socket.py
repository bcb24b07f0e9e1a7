"""Variant: catch OSError, pathlib's unlink(), and a brand new socket for the second bind."""

import os
import pathlib
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

try:
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).bind(path)
except OSError as err:
    print("as expected:", err)
pathlib.Path(path).unlink()
fresh = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
fresh.bind(path)
fresh.listen()
print(os.stat(path))
