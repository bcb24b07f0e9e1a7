"""Variant: a dual-stack server, a thread per client, each line passed on to the others."""

import contextlib
import os
import socket
import threading

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

clients = set()
lock = threading.Lock()


def serve(conn, addr):
    print(f"Accepted connection from: {addr}", flush=True)
    with conn:
        for line in conn.makefile("rb"):
            print("got:", line.decode(errors="replace").rstrip(), flush=True)
            with lock:
                others = [c for c in clients if c is not conn]
            for other in others:
                with contextlib.suppress(OSError):
                    other.sendall(line)
    with lock:
        clients.discard(conn)


srv = socket.create_server(("::", 12345), family=socket.AF_INET6, dualstack_ipv6=True)
while True:
    conn, addr = srv.accept()
    with lock:
        clients.add(conn)
    threading.Thread(target=serve, args=(conn, addr), daemon=True).start()
