"""Variant: socket.create_server(), the client's lines read with makefile() (its end is EOF)."""

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
    print("Accepted connection from:", addr, flush=True)
    for line in conn.makefile("r", encoding="utf-8", errors="replace"):
        print(line.rstrip("\n"), flush=True)
    conn.close()
