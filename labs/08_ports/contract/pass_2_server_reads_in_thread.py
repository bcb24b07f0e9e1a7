"""Variant: the listener accepts and reads in a thread; the refusal caught as ConnectionRefusedError."""

import os
import socket
import threading

token = os.environ["LAB_TOKEN"]


def talk(host, port, data):
    with socket.create_connection((host, port)) as s:
        s.sendall(data.encode())
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass


talk("flask", 5000, f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n")
talk("chat", 12345, f"hello from lab 8, run {token}\n")

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen()
port = listener.getsockname()[1]


def serve():
    conn, _ = listener.accept()
    print("server got", conn.recv(1024))
    conn.close()


t = threading.Thread(target=serve)
t.start()
with socket.create_connection(("127.0.0.1", port)) as c:
    c.sendall(f"threads and {token}".encode())
t.join()
listener.close()
try:
    socket.create_connection(("127.0.0.1", port)).close()
except ConnectionRefusedError:
    print("refused")
