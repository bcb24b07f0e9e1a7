"""Lab 7, the reference solution: a named Unix stream socket, SO_PEERCRED, and an unnamed pair.

python -m lab_runner lab7 --solution
"""

import os
import socket
import struct
import subprocess
import sys
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# Step 1: a server bound to a named file, and a client process that finds it by that name.
path = f"/tmp/{token}.sock"
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)  # bind() creates the file: a socket, type 's' in ls -l
server.listen(1)
print("server: listening on", server.getsockname())
print(subprocess.run(["ls", "-l", path], capture_output=True, text=True).stdout.strip())

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
print(f"server: accepted a connection from {address!r}")

# Step 3: the client bound no name, but the kernel knows which process it is.
creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
pid, uid, gid = struct.unpack("3i", creds)
print(f"server: SO_PEERCRED says pid {pid}, uid {uid}, gid {gid} (the client process is pid {client.pid})")

data = b""
while chunk := conn.recv(1024):  # a stream: read until the client closes
    data += chunk
print("server: received", repr(data.decode()))
conn.close()
server.close()
client.wait()
# Closing does not delete the file: it stays, a socket nobody listens on, until someone unlinks it.

# Step 2: an unnamed pair: two ends already connected to each other, no file anywhere.
parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
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
