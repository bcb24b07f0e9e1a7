"""Lab 2: speak HTTP by hand on the Flask server's socket, and get "Hello World!" back.

Lab 1 sent bytes that were not HTTP and got a 400. Here the same socket gets the bytes of a
real HTTP request, written by hand: the server cannot tell them from a browser's. Run it with
    python -m lab_runner lab2
or by hand: docker compose exec workbench python3 /labs/02_http_by_hand/exercise.py
"""

import os
import socket
import uuid

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
