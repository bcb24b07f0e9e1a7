"""Lab 2: speak HTTP by hand on the Flask server's socket, and get "Hello World!" back.

Lab 1 sent bytes that were not HTTP and got a 400. Here the same socket gets the bytes of a
real HTTP request, written by hand: the server cannot tell them from a browser's. It runs the
article's view, which prints "Done !", and answers "Hello World!". Step 1 is that, and this
file already does it:
    python -m lab_runner lab2
    docker compose exec flask tail /var/log/flask/flask.log
Steps 2 and 3 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab2` gives one
hint at a time, and `python -m lab_runner watch lab2` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/02_http_by_hand/exercise.py
"""

import os
import socket
import uuid

# Each run carries a unique token; it goes in the path, so the checks find this run's requests.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# An HTTP/1.1 request: request line, headers, then an empty line. Every line ends in \r\n.
request = (
    f"GET /?run={token} HTTP/1.1\r\n"
    "Host: flask\r\n"
    "Connection: close\r\n"  # ask the server to close when it is done: our end-of-answer
    "\r\n"
)

clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
clientsocket.connect(("flask", 5000))
clientsocket.sendall(request.encode("ascii"))
print("sent:")
print(request.replace("\r\n", "\\r\\n\n"))

# TCP is a stream: the answer may come in several pieces. Read until the server closes.
response = b""
while chunk := clientsocket.recv(4096):
    response += chunk
clientsocket.close()

print("received:")
print(response.decode("utf-8", errors="replace"))

# YOUR TURN (step 2): on a new connection, send one GET request for a path with the token in
# it (say /?run=<token>&step=2) in at least two send() calls: the first stops before the empty
# line that ends the request (the request line alone, say), the rest follows. Then read the
# answer. The server does not care how you cut it: it reads until the empty line.

# YOUR TURN (step 3): on a new connection, send a GET for a path with the token, WITHOUT
# "Connection: close", and read the answer by its length instead of waiting for the close:
# read the head up to the empty line, take Content-Length from it, read exactly that many
# bytes of body, then close your socket (never wait for recv() to return b'').
