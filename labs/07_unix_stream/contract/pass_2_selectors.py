"""Variant: a non-blocking listener under selectors; SO_PEERCRED asked when accept() returns."""

import os
import selectors
import socket
import struct
import subprocess
import sys

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
CLIENT = """
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
c.sendall(sys.argv[2].encode())
c.close()
"""
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
server.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(server, selectors.EVENT_READ)
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, f"hello {token}"])
done = False
while not done:
    for key, _ in sel.select():
        if key.fileobj is server:
            conn, _ = server.accept()
            print("peer:", struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)))
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
        else:
            data = key.fileobj.recv(1024)
            print("received:", data)
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                done = True
sel.close()
server.close()
client.wait()
