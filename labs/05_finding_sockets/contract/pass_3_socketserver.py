"""Variant: socketserver.ThreadingUnixStreamServer on the abstract name, a client in the main thread."""

import os
import socket
import socketserver
import threading

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    again.bind(path)
except OSError as err:
    print("taken:", err)
os.unlink(path)
again.bind(path)
again.listen()
again.close()

name = f"\0lab5-{token}"


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        print("received:", self.rfile.read())


server = socketserver.ThreadingUnixStreamServer(name, Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
    client.connect(name)
    client.sendall(f"hi {token}".encode())
server.shutdown()
server.server_close()
