"""Variant: a thread per client and a lock around the list of clients."""

import os
import socket
import threading

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

clients, lock = [], threading.Lock()


def serve(conn, addr):
    with lock:
        clients.append(conn)
    try:
        for line in conn.makefile("rb"):
            print("This is what the client sent:", line.decode(errors="replace").rstrip(), flush=True)
            with lock:
                for other in clients:
                    if other is not conn:
                        other.sendall(line)
    finally:
        with lock:
            clients.remove(conn)
        conn.close()


srv = socket.create_server(("0.0.0.0", 12345))
while True:
    conn, addr = srv.accept()
    print("Accepted connection from:", addr, flush=True)
    threading.Thread(target=serve, args=(conn, addr), daemon=True).start()
