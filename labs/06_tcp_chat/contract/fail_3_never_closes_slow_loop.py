"""Mistake: recv() gets b'' once the client left, and the loop goes on reading it (slowly), never closing.
says: had still not closed its end"""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 12345))
srv.listen()
while True:
    conn, addr = srv.accept()
    print(f"Accepted connection from: {addr}", flush=True)
    while True:
        data = conn.recv(1024)
        if data:
            print(data.decode(), flush=True)
        time.sleep(0.05)
