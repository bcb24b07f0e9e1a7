"""Mistake: it serves, but never says who connected.
says: did not print"""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

srv = socket.create_server(("0.0.0.0", 12345))
while True:
    conn, addr = srv.accept()
    with conn:
        while data := conn.recv(1024):
            print(data.decode(), flush=True)
