"""Variant: a thread reads the answer until b'' while the main thread sends the line."""

import os
import socket
import threading

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()

s = socket.create_connection(("flask", 5000))
answer = []


def read_all():
    while chunk := s.recv(4096):
        answer.append(chunk)


reader = threading.Thread(target=read_all)
reader.start()
s.sendall(f"hello-{token}\r\n".encode())
reader.join(10)
s.close()
print(b"".join(answer)[:80])
