"""Mistake: one recv() for the answer: a stream may need more, and the close is never read.
says: never b''"""

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
print(s.recv(4096))
s.close()
