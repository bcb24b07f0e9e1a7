"""Variant: selectors, each client read with os.read() and each line passed on with os.write()."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

sel = selectors.DefaultSelector()
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 12345))
srv.listen()
sel.register(srv, selectors.EVENT_READ)
clients = {}  # connection -> what it sent that has no line end yet
while True:
    for key, _ in sel.select():
        if key.fileobj is srv:
            conn, addr = srv.accept()
            print("Accepted connection from:", addr, flush=True)
            clients[conn] = b""
            sel.register(conn, selectors.EVENT_READ)
            continue
        conn = key.fileobj
        if conn not in clients:  # dropped a moment ago, while a line went round
            continue
        data = os.read(conn.fileno(), 1024)
        if not data:
            sel.unregister(conn)
            del clients[conn]
            conn.close()
            continue
        clients[conn] += data
        *whole, clients[conn] = clients[conn].split(b"\n")
        for line in whole:
            print("This is what the client sent:", line.decode(errors="replace"), flush=True)
            for other in list(clients):
                if other is not conn:
                    try:
                        os.write(other.fileno(), line + b"\n")
                    except OSError:  # that client has gone (a reset): it is dropped, the room goes on
                        sel.unregister(other)
                        del clients[other]
                        other.close()
