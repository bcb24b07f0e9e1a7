"""Variant: the error told apart by errno.EADDRINUSE, os.remove(), a with block."""

import errno
import os
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    try:
        s.bind(path)
    except OSError as err:
        assert err.errno == errno.EADDRINUSE, err
        os.remove(path)
        s.bind(path)
    s.listen(1)
