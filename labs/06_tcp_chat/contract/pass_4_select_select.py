"""Variant: select.select() over a list of sockets, lines passed on whole as they end."""

import os
import select
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

srv = socket.create_server(("0.0.0.0", 12345))
buffers = {}
while True:
    readable, _, _ = select.select([srv, *buffers], [], [])
    for sock in readable:
        if sock is srv:
            conn, addr = srv.accept()
            print("Accepted connection from:", addr, flush=True)
            buffers[conn] = b""
            continue
        data = sock.recv(4096)
        if not data:
            del buffers[sock]
            sock.close()
            continue
        buffers[sock] += data
        *lines, buffers[sock] = buffers[sock].split(b"\n")
        for line in lines:
            print(line.decode(errors="replace"), flush=True)
            for other in buffers:
                if other is not sock:
                    other.sendall(line + b"\n")
