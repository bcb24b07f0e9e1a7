"""Mistake: the line end is there, but shutdown(SHUT_WR) still ends the sending side.
says: without calling shutdown()"""

import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

s = socket.create_connection(("flask", 5000))
s.sendall(f"hello-{token}\r\n".encode())
s.shutdown(socket.SHUT_WR)
while s.recv(4096):
    pass
