"""Mistake: the second connection forgets the line end, and reads for an answer until the close.
says: line end"""

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
s.sendall(f"hello-{token}".encode())
answer = b""
while chunk := s.recv(4096):
    answer += chunk
print(answer[:60])
