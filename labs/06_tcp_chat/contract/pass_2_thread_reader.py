"""Variant: a thread reads what the server says until b'' while the main thread sends the lines."""

import os
import socket
import threading

token = os.environ["LAB_TOKEN"]


def read_all(sock):
    while data := sock.recv(4096):
        print("heard:", data.decode(errors="replace"), end="")


c = socket.create_connection(("chat", 12345))
reader = threading.Thread(target=read_all, args=(c,))
reader.start()
for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
    c.sendall(f"{line}\n".encode())
c.shutdown(socket.SHUT_WR)
reader.join()
c.close()
