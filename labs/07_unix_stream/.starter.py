"""Lab 7: Unix stream sockets, bound to a file (named) or to no file at all (unnamed).

The second article: two processes on the same host talk through a Unix socket, which "is first
created then it is bound to a file (named or unnamed)". Step 1, the named kind, is already
here: a server binds /tmp/<token>.sock, and a client process connects to that file. Run it:
    python -m lab_runner lab7
Steps 2 and 3 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab7` gives one hint
at a time, and `python -m lab_runner watch lab7` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/07_unix_stream/exercise.py
"""

import os
import socket
import subprocess
import sys
import uuid

# Each run carries a unique token, so the checks find this run's socket file and messages.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# A named Unix stream socket: its address is a file name instead of (host, port).
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
print(f"server: accepted a connection from {address!r}")  # '': the client bound no name

# YOUR TURN (step 2): the address is empty, but the kernel knows which process connected.
# Ask it on `conn` with getsockopt(SOL_SOCKET, SO_PEERCRED), unpack pid, uid and gid, and
# compare the pid with client.pid.


data = b""
while chunk := conn.recv(1024):  # a stream: read until the client closes
    data += chunk
print("server: received", repr(data.decode()))
conn.close()
server.close()
client.wait()
# Closing does not delete the file: it stays, a socket nobody listens on, until someone unlinks it.

# YOUR TURN (step 3): the unnamed kind. Make a pair with socket.socketpair() (no file at all),
# then os.fork(): one process sends a message with the token on one end, the other receives
# it on the other end and answers, and the first receives the answer.
