"""Variant: SO_PEERCRED read into a struct.Struct("3i"), printed next to the child's pid."""

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
c.sendall(sys.argv[2].encode())
c.close()
"""
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, f"hello {token}"])
conn, _ = server.accept()

ucred = struct.Struct("3i")
pid, uid, gid = ucred.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, ucred.size))
print("peer", pid, "child", client.pid)
data = b""
while chunk := conn.recv(1024):
    data += chunk
print(data)
conn.close()
server.close()
client.wait()
