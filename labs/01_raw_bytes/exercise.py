"""Lab 1: write raw bytes straight into the Flask server's socket.

The first article's experiment: if the socket is where client and server meet, then bytes
written into it reach the server even when they are not HTTP. Run it with
    python -m lab_runner lab1
or by hand in the workbench:
    docker compose exec workbench python3 /labs/01_raw_bytes/exercise.py
"""

import os
import re
import socket
import uuid

# Each run carries a unique token, so the checks find this run's line and not an old one.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
message = f"hello-{token}"

# A network socket is named by (host, port): the Flask server listens on port 5000.
clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
clientsocket.connect(("flask", 5000))
print("connected from", clientsocket.getsockname(), "to", clientsocket.getpeername())

clientsocket.send(message.encode())
print("sent:", repr(message))

# The server reads a request line up to "\n". We send none, so we close our sending side:
# that end-of-stream tells the server nothing more is coming.
clientsocket.shutdown(socket.SHUT_WR)

reply = clientsocket.recv(4096).decode(errors="replace")
clientsocket.close()
# Not HTTP, so the server answers the oldest way (HTTP/0.9): an HTML page with no status line.
for line in reply.splitlines():
    if "Error code" in line:
        print("the server answered:", re.sub(r"<[^>]+>", "", line).strip())
