"""Mistake: os.write() the line, then one os.read(): the answer may need more, its end is never read.
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
os.write(s.fileno(), f"hello-{token}\r\n".encode())
print(os.read(s.fileno(), 4096)[:80])
s.close()
