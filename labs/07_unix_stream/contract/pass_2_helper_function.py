"""Variant: a helper returns a dict of the peer's credentials."""

import os
import socket
import struct
import subprocess
import sys

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
CLIENT = """
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
c.sendall(sys.argv[2].encode())
c.close()
"""
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, f"hello {token}"])
conn, _ = server.accept()


def peer_of(sock):
    pid, uid, gid = struct.unpack("iII", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    return {"pid": pid, "uid": uid, "gid": gid}


print(peer_of(conn))
data = b""
while chunk := conn.recv(1024):
    data += chunk
print(data)
conn.close()
server.close()
client.wait()
