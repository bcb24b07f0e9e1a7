"""Variant: socketserver.ThreadingTCPServer, a handler per client that passes each line on."""

import contextlib
import os
import socket
import socketserver
import threading

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

room: set = set()
lock = threading.Lock()


class Member(socketserver.StreamRequestHandler):
    def handle(self):
        print(f"Accepted connection from: {self.client_address}", flush=True)
        with lock:
            room.add(self.wfile)
        try:
            for line in self.rfile:
                print(line.decode(errors="replace").rstrip(), flush=True)
                with lock:
                    others = [w for w in room if w is not self.wfile]
                for other in others:
                    with contextlib.suppress(OSError):
                        other.write(line)
        finally:
            with lock:
                room.discard(self.wfile)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server(("0.0.0.0", 12345), Member) as server:
    server.serve_forever()
