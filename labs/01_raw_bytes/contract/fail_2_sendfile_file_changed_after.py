"""Mistake (or a forgery): sendfile() sent other words, and the file was rewritten afterwards: the
checks read sendfile()'s bytes from the file, and believe them only with Flask's log.
says: the server did not log"""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

with open("/tmp/line", "wb") as f:
    f.write(f"bye---{token}".encode())
s = socket.create_connection(("flask", 5000))
with open("/tmp/line", "rb") as f:
    s.sendfile(f)
os.writev(s.fileno(), [b"\r", b"\n"])
while s.recv(4096):
    pass
s.close()
with open("/tmp/line", "wb") as f:
    f.write(f"hello-{token}".encode())
