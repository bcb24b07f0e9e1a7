"""Variant: the server reads each client with os.read() on the connection's fileno()."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

srv = socket.create_server(("0.0.0.0", 12345), reuse_port=False)
while True:
    conn, addr = srv.accept()
    print(f"Accepted connection from: {addr}", flush=True)
    while data := os.read(conn.fileno(), 1024):
        print("got:", data.decode(errors="replace"), flush=True)
    conn.close()
