"""Variant: sendmsg()/recvmsg() on the pair, the child a multiprocessing.Process."""

import multiprocessing
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

print(struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)))
data = b""
while chunk := conn.recv(1024):
    data += chunk
print(data)
conn.close()
server.close()
client.wait()


def child(end):
    data = end.recvmsg(1024)[0]
    end.sendmsg([b"echo: ", data])
    end.close()


if __name__ == "__main__":
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    proc = multiprocessing.get_context("fork").Process(target=child, args=(right,))
    proc.start()
    right.close()
    left.sendmsg([f"hello {token}".encode()])
    print(left.recvmsg(1024)[0])
    proc.join()
