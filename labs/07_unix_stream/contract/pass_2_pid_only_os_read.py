"""Variant: SO_PEERCRED read as its pid alone (a 4-byte buffer: strace shows {pid=N}), and the
connection read with os.read() on its fileno()."""

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

(pid,) = struct.unpack("i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 4))
print("peer", pid, "child", client.pid)
data = b""
while chunk := os.read(conn.fileno(), 1024):
    data += chunk
print(data)
conn.close()
server.close()
client.wait()
