"""Lab 1: write raw bytes straight into the Flask server's socket.

The first article's experiment: if the socket is where client and server meet, then bytes
written into it reach the server even when they are not HTTP. Step 1 is that experiment, and
this file already does it: run it, then look at what the server logged.
    python -m lab_runner lab1
    docker compose exec flask tail /var/log/flask/flask.log
Step 2 is yours: see "YOUR TURN" below. `python -m lab_runner hint lab1` gives one hint at a
time, and `python -m lab_runner watch lab1` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/01_raw_bytes/exercise.py
"""

import os
import socket
import uuid

# Each run carries a unique token, so the checks find this run's lines and not an old one.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
message = f"hello-{token}"

# Step 1, as in the article: a network socket is named by (host, port); Flask listens on 5000.
clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
clientsocket.connect(("flask", 5000))
print("connected from", clientsocket.getsockname(), "to", clientsocket.getpeername())
clientsocket.send(message.encode())
print("sent:", repr(message))

# The server reads a request line up to its "\n", and "hello-..." has none. The article's
# script simply exits, which closes the socket; we close only our sending side (a TCP FIN),
# so that the server sees the end of what we send while we can still read its answer.
clientsocket.shutdown(socket.SHUT_WR)
reply = clientsocket.recv(4096)  # one recv(): maybe not all of the answer (see step 2)
clientsocket.close()
print("the server answered:")
print(reply.decode(errors="replace"))

# YOUR TURN (step 2): open a second connection to ("flask", 5000) and get an answer without
# shutting anything down: send hello-<token> followed by a line end ("\r\n" or "\n"), so the
# server has a whole request line, then read its answer with recv() until recv() returns b''
# (the server closed), and print it. No shutdown() on this one.
