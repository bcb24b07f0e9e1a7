"""Variant: socketserver.UnixStreamServer; the handler asks SO_PEERCRED of its request socket."""

import os
import socket
import socketserver
import struct
import subprocess
import sys

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
CLIENT = """
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
c.sendall(sys.argv[2].encode())
c.close()
"""


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        creds = self.request.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid, uid, gid = struct.unpack("3i", creds)
        print(f"peer pid={pid} uid={uid} gid={gid}")
        data = b""
        while chunk := self.request.recv(1024):
            data += chunk
        print(data)


server = socketserver.UnixStreamServer(path, Handler)
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, f"hello {token}"])
server.handle_request()
server.server_close()
client.wait()
