"""Variant: a helper that binds, and on EADDRINUSE removes a stale file and tries once more."""

import os
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()


def bind_fresh(where):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(where)
    except OSError:
        os.unlink(where)
        s.bind(where)
    s.listen()
    return s


bind_fresh(path).close()
