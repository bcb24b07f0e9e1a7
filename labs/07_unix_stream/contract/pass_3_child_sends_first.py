"""Variant: the child sends first and the parent answers; sendall/recv on the pair's ends."""

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

a, b = socket.socketpair()
if os.fork() == 0:
    a.close()
    b.sendall(f"from the child {token}".encode())
    print("child got", b.recv(100))
    os._exit(0)
b.close()
print("parent got", a.recv(100))
a.sendall(b"thanks")
os.wait()
