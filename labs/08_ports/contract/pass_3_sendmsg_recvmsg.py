"""Variant: sendmsg() and recvmsg() through the port-0 listener and on both chat connections."""

import os
import socket

token = os.environ["LAB_TOKEN"]


def talk(host, port, data):
    with socket.create_connection((host, port)) as s:
        s.sendall(data.encode())
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass


talk("flask", 5000, f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n")
talk("chat", 12345, f"hello from lab 8, run {token}\n")

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
port = listener.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port))
c.sendmsg([b"via ", str(port).encode(), b" ", token.encode()])
conn, _ = listener.accept()
print(conn.recvmsg(100)[0])
conn.close()
c.close()
listener.close()
try:
    socket.create_connection(("127.0.0.1", port))
except ConnectionRefusedError as err:
    print("refused:", err)

first = socket.create_connection(("chat", 12345))
second = socket.create_connection(("chat", 12345))
for n, s in enumerate((first, second), 1):
    print(f"connection {n}: {s.getsockname()} -> {s.getpeername()}")
    s.sendmsg([f"conn {n} ".encode(), token.encode(), b"\n"])
for s in (first, second):
    s.shutdown(socket.SHUT_WR)
    while data := s.recvmsg(4096)[0]:
        print(data)
    s.close()
