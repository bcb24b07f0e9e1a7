"""Mistake: no SO_PEERCRED at all: the server prints its own pid as the client's.
says: SO_PEERCRED"""

import os
import socket
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

print("the client is", os.getpid())
data = b""
while chunk := conn.recv(1024):
    data += chunk
print(data)
conn.close()
server.close()
client.wait()
