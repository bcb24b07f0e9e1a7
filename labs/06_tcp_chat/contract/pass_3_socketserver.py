"""Variant: the standard library's socketserver, a handler class per client."""

import os
import socket
import socketserver

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        print(f"Accepted connection from: {self.client_address}", flush=True)
        for line in self.rfile:
            print(line.decode(errors="replace").rstrip(), flush=True)


socketserver.TCPServer.allow_reuse_address = True
with socketserver.TCPServer(("0.0.0.0", 12345), Handler) as server:
    server.serve_forever()
