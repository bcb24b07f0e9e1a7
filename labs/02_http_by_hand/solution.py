"""Lab 2, the reference solution: a request by hand, one in pieces, and an answer read by its length.

python -m lab_runner lab2 --solution
"""

import os
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("flask", 5000))
    return s


# Step 1: the whole request at once; Connection: close, so the close marks the end of the answer.
s = connect()
s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
response = b""
while chunk := s.recv(4096):
    response += chunk
s.close()
print("step 1, received:", response.decode(errors="replace"), sep="\n")

# Step 2: the same kind of request in two pieces. The server reads lines until the empty one:
# after the request line alone it has nothing to answer yet.
s = connect()
s.sendall(f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
s.settimeout(0.3)
try:
    print("step 2, after the request line alone:", s.recv(4096))
except TimeoutError:
    print("step 2, after the request line alone: nothing yet, the server waits for the empty line")
s.settimeout(None)
s.sendall(b"Host: flask\r\nConnection: close\r\n\r\n")
response = b""
while chunk := s.recv(4096):
    response += chunk
s.close()
print("step 2, then:", response.split(b"\r\n")[0])

# Step 3: no Connection: close (an HTTP/1.1 connection then stays open, as far as the client
# knows), so the end of the answer is its Content-Length, not the close.
s = connect()
s.sendall(f"GET /?run={token}&step=3 HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
data = b""
while b"\r\n\r\n" not in data:  # the head ends at the empty line
    chunk = s.recv(4096)
    if not chunk:
        raise SystemExit(f"the server closed before the end of the head: {data!r}")
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
length = int(fields[b"Content-Length"])
while len(body) < length:  # exactly the rest of the body, no more recv() after it
    body += s.recv(length - len(body))
s.close()
status = head.split(b"\r\n")[0].decode()
print(f"step 3: {status}, Content-Length {length}, body {body!r}, read without waiting for the close")
