"""Variant: a dual-stack server (IPv6 "::", IPv4 too): an IPv4 client's address arrives as
('::ffff:127.0.0.1', port, 0, 0)."""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

srv = socket.create_server(("::", 12345), family=socket.AF_INET6, dualstack_ipv6=True)
while True:
    conn, addr = srv.accept()
    print(f"Accepted connection from: {addr}", flush=True)
    with conn:
        while data := conn.recv(1024):
            print("got:", data.decode(errors="replace"), flush=True)
