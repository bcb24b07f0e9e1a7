"""Variant: the server reads each client with recvmsg() until it returns b'', then closes."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendmsg([line.encode(), b"\n"])
    c.shutdown(socket.SHUT_WR)

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 12345))
srv.listen()
while True:
    conn, addr = srv.accept()
    print("Accepted connection from:", addr, flush=True)
    while True:
        data, _, _, _ = conn.recvmsg(1024)
        if not data:
            break
        print("This is what the client sent:", data.decode(errors="replace"), flush=True)
    conn.close()
