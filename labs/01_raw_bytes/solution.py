"""Lab 1, the reference solution: the article's raw bytes, then a line the server can answer.

python -m lab_runner lab1 --solution
"""

import os
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
message = f"hello-{token}"

# Step 1: the article's bytes, no line end; the end of our sending side ends the line.
clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
clientsocket.connect(("flask", 5000))
clientsocket.send(message.encode())
print("sent:", repr(message))
clientsocket.shutdown(socket.SHUT_WR)
print("the server answered:", clientsocket.recv(4096)[:200])
clientsocket.close()

# Step 2: end the line ourselves. The server has a whole request line, answers, and closes:
# recv() returns b'' once everything it sent has been read.
clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
clientsocket.connect(("flask", 5000))
clientsocket.sendall(f"{message}\r\n".encode())
print("sent:", repr(f"{message}\r\n"))
answer = b""
while chunk := clientsocket.recv(4096):
    answer += chunk
clientsocket.close()
print(f"the server answered ({len(answer)} bytes, then closed):")
print(answer.decode(errors="replace"))
