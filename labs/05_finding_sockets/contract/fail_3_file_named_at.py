"""Mistake: "@name" taken literally: bind() makes a file named @lab5-..., not an abstract name.
says: a file whose name starts with @, not an abstract name"""

import os
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    again.bind(path)
except OSError as err:
    print("taken:", err)
os.unlink(path)
again.bind(path)
again.listen()
again.close()

os.chdir("/tmp")
name = f"@{token}"  # ss shows abstract names with @, but here the @ is the file name's first character
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(name)
server.listen()
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(name)
conn, _ = server.accept()
client.sendall(f"hi {token}".encode())
print(conn.recv(100))
