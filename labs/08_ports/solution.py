"""Lab 8, the reference solution: one client for two servers, a port the kernel picks and that
refuses once closed, and two connections told apart by their client port.

    python -m lab_runner lab8 --solution
"""

import errno
import os
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def talk(host, port, message):
    """The one client used for every server: connect, send, read the answer until the server closes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    print(f"{host}:{port}: connected, client {sock.getsockname()} -> server {sock.getpeername()}")
    sock.sendall(message.encode())
    sock.shutdown(socket.SHUT_WR)
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    sock.close()
    return answer.decode(errors="replace")


# Step 1: the port picks the application.
answer = talk("flask", 5000, f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n")
print("flask:5000 answered:", answer.splitlines()[0], "...", answer.split("\r\n\r\n")[-1])
answer = talk("chat", 12345, f"hello from lab 8, run {token}\n")
print("chat:12345 answered:", answer.strip())

# Step 2: port 0 means "any free port": the kernel picks one, and getsockname() tells which.
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(1)
port = listener.getsockname()[1]
print(f"listener: the kernel gave it port {port}")

client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(("127.0.0.1", port))
client.sendall(f"through port {port}, run {token}".encode())
conn, address = listener.accept()
print(f"listener: accepted {address}, received {conn.recv(1024).decode()!r}")
conn.close()
client.close()
listener.close()  # nothing listens on the port any more

again = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    again.connect(("127.0.0.1", port))
    print(f"port {port}: connected?!")
except ConnectionRefusedError as err:
    print(f"port {port}: refused, {errno.errorcode[err.errno]} ({err})")
finally:
    again.close()

# Step 3: two connections at once to the same server, from the same machine.
connections = []
for n in (1, 2):
    sock = socket.create_connection(("chat", 12345))
    reader = sock.makefile("rb")
    print(f"chat connection {n}: client {sock.getsockname()} -> server {sock.getpeername()}")
    # The greeting says the chat server has this connection in its room.
    print(f"chat connection {n} heard:", reader.readline().decode(errors="replace").strip())
    connections.append((sock, reader))
for n, (sock, _) in enumerate(connections, 1):
    sock.sendall(f"lab8 connection {n}, run {token}\n".encode())
for n, (sock, reader) in enumerate(connections, 1):
    sock.shutdown(socket.SHUT_WR)  # done sending; read what the room relayed until the server closes
    for line in reader.read().decode(errors="replace").splitlines():
        print(f"chat connection {n} heard:", line)
    reader.close()
    sock.close()
