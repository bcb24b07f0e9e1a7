"""Variant: lines through makefile() on both ends, the child found by os.fork()'s return."""

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

print(struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)))
data = b""
while chunk := conn.recv(1024):
    data += chunk
print(data)
conn.close()
server.close()
client.wait()

left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
pid = os.fork()
if pid == 0:
    left.close()
    f = right.makefile("rwb")
    line = f.readline()
    f.write(b"echo: " + line)
    f.flush()
    os._exit(0)
right.close()
f = left.makefile("rwb")
f.write(f"hello {token}\n".encode())
f.flush()
print(f.readline())
os.waitpid(pid, 0)
