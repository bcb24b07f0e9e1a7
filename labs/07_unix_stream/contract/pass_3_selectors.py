"""Variant: the parent waits on its end of the pair with selectors before reading the answer."""

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

a, b = socket.socketpair()
if os.fork() == 0:
    a.close()
    got = b.recv(100)
    b.sendall(b"thanks " + got)
    os._exit(0)
b.close()
a.sendall(f"from the parent {token}".encode())
sel = selectors.DefaultSelector()
sel.register(a, selectors.EVENT_READ)
sel.select()
print("parent got", a.recv(100))
sel.close()
a.close()
os.wait()
