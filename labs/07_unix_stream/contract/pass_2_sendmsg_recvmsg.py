"""Variant: the server reads the client with recvmsg() until b'', after asking SO_PEERCRED."""

import os
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
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, f"hello {token}"])
conn, _ = server.accept()
pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
print("client pid", pid, "uid", uid, "gid", gid, "(spawned", client.pid, ")")
data = b""
while chunk := conn.recvmsg(1024)[0]:
    data += chunk
print(data)
conn.close()
server.close()
client.wait()
