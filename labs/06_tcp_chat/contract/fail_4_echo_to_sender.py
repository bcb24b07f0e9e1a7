"""Mistake: many clients at once, but each line goes back to its sender, not to the others.
says: each should reach the other"""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

sel = selectors.DefaultSelector()
srv = socket.create_server(("0.0.0.0", 12345))
sel.register(srv, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is srv:
            conn, addr = srv.accept()
            print("Accepted connection from:", addr, flush=True)
            sel.register(conn, selectors.EVENT_READ)
            continue
        try:
            data = key.fileobj.recv(1024)
        except ConnectionError:  # a client that left with our echo unread: a reset
            data = b""
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            continue
        print(data.decode(), flush=True)
        key.fileobj.sendall(data)
