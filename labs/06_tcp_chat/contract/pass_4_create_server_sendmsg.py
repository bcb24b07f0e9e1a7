"""Variant: socket.create_server() and selectors; lines read with recvmsg(), passed on with sendmsg()."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

sel = selectors.DefaultSelector()
srv = socket.create_server(("", 12345))
sel.register(srv, selectors.EVENT_READ)
names = {}
while True:
    for key, _ in sel.select():
        if key.fileobj is srv:
            conn, addr = srv.accept()
            print("Accepted connection from:", addr, flush=True)
            names[conn] = f"{addr}: ".encode()
            sel.register(conn, selectors.EVENT_READ)
            continue
        conn = key.fileobj
        data = conn.recvmsg(1024)[0]
        if not data:
            sel.unregister(conn)
            del names[conn]
            conn.close()
            continue
        print("This is what the client sent:", data.decode(errors="replace"), flush=True)
        for other in names:
            if other is not conn:
                other.sendmsg([names[conn], data])
