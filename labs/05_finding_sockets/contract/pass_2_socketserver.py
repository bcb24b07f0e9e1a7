"""Variant: socketserver.UnixStreamServer binds and listens; a second one on the same path fails
with EADDRINUSE until the file is removed."""

import os
import socketserver

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socketserver.UnixStreamServer(path, socketserver.StreamRequestHandler)
first.server_close()  # the socket is closed; its file stays
try:
    socketserver.UnixStreamServer(path, socketserver.StreamRequestHandler)
except OSError as err:
    print("the file is still there:", err)
os.unlink(path)
again = socketserver.UnixStreamServer(path, socketserver.StreamRequestHandler)
print("bound again:", again.server_address)
again.server_close()
