"""Variant: the pair shared with a multiprocessing.Process (fork start method)."""

import multiprocessing
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


def child(end):
    got = end.recv(1024)
    end.sendall(b"answer to " + got)


parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
multiprocessing.set_start_method("fork")
p = multiprocessing.Process(target=child, args=(child_end,))
p.start()
parent_end.sendall(f"ping {token}".encode())
print(parent_end.recv(1024))
p.join()
