"""Lab 7: Unix stream sockets, bound to a file (named) or to no file at all (unnamed).

The second article: two processes on the same host talk through a Unix socket, which "is first
created then it is bound to a file (named or unnamed)". Here you make both kinds:
  1. named: a server binds /tmp/<token>.sock, and a client process connects to that file;
  2. unnamed: socket.socketpair() gives two connected ends and no file; fork() shares them.
Run it with
    python -m lab_runner lab7
or by hand: docker compose exec workbench python3 /labs/07_unix_stream/exercise.py
"""

import os
import socket
import struct
import subprocess
import sys
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# 1. A named Unix stream socket: its address is a file name instead of (host, port).
path = f"/tmp/{token}.sock"
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)  # bind() creates the file: a socket, type 's' in ls -l
server.listen(1)
print("server: listening on", server.getsockname())
print(subprocess.run(["ls", "-l", path], capture_output=True, text=True).stdout.strip())

# The client is a second process: any process that may open the file can connect to it.
CLIENT = """
import socket, sys
path, token = sys.argv[1], sys.argv[2]
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(path)
client.sendall(f"hello from the client, run {token}".encode())
client.close()
"""
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, token])

conn, address = server.accept()
# The client bound no file, so its address is empty. But the kernel knows who it is:
# SO_PEERCRED gives the process id, user id and group id on the other end.
pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
print(f"server: accepted {address!r} from pid {pid}, uid {uid} (the client process is pid {client.pid})")
data = b""
while chunk := conn.recv(1024):  # a stream: read until the client closes
    data += chunk
print("server: received", repr(data.decode()))
conn.close()
server.close()
client.wait()
# Closing does not delete the file: it stays, a socket nobody listens on, until someone unlinks it.

# 2. An unnamed pair: two ends already connected to each other, no file anywhere.
parent_end, child_end = socket.socketpair()  # AF_UNIX, SOCK_STREAM by default
print("socketpair: addresses", repr(parent_end.getsockname()), "and", repr(child_end.getsockname()))
if os.fork() == 0:
    # The child process: it inherited both ends and keeps one.
    parent_end.close()
    got = child_end.recv(1024).decode()
    print(f"child {os.getpid()}: received {got!r}")
    child_end.sendall(f"pong {token}".encode())
    os._exit(0)
child_end.close()
parent_end.sendall(f"ping {token}".encode())
print(f"parent {os.getpid()}: received {parent_end.recv(1024).decode()!r}")
parent_end.close()
os.wait()
