"""Variant: the client process writes through makefile("wb"), the server reads through makefile("rb")."""

import os
import socket
import struct
import subprocess
import sys

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
CLIENT = """
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
with c.makefile("wb") as f:
    f.write(sys.argv[2].encode())
c.close()
"""
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, f"hello {token}"])
conn, _ = server.accept()

ucred = struct.Struct("3i")
pid, uid, gid = ucred.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, ucred.size))
print("peer", pid, "child", client.pid)
with conn.makefile("rb") as f:
    data = f.read()
print(data)
conn.close()
server.close()
client.wait()
