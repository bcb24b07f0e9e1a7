"""Lab 8: ports. The port picks the application; a connection is a 4-tuple.

The second article: "The port ... helps redirect the packets arriving at the machine to the
right application." One client function reaches two different servers, and only (host, port)
changes. Then: a port where nothing listens refuses; the client's own port is picked by the
kernel (ephemeral); and two connections to the same server differ only by the client's port.
Run it with
    python -m lab_runner lab8
or by hand: docker compose exec workbench python3 /labs/08_ports/exercise.py
"""

import errno
import os
import socket
import subprocess
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def connect(host, port):
    """The one client used for every server below: a TCP connection to (host, port)."""
    sock = socket.create_connection((host, port), timeout=5)
    print(f"{host}:{port}: connected, client {sock.getsockname()} -> server {sock.getpeername()}")
    return sock


def finish(sock):
    """Close politely: say we are done sending, read what is left until the server closes."""
    sock.shutdown(socket.SHUT_WR)
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    sock.close()
    return answer


# 1. Port 5000 is the Flask server: speak HTTP to it.
web = connect("flask", 5000)
web.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
answer = finish(web).decode()
print("flask:5000 answered:", answer.splitlines()[0], "...", answer.split("\r\n\r\n")[-1])

# 2. Port 12345 is the chat server: two connections at once, one line each.
first, second = connect("chat", 12345), connect("chat", 12345)
for n, sock in enumerate([first, second], 1):
    sock.sendall(f"lab8 connection {n}, run {token}\n".encode())
client_ports = [first.getsockname()[1], second.getsockname()[1]]

# While both are open, ask the kernel for these two TCP connections (ss can filter by port).
server_ip = first.getpeername()[0]
query = f"dst {server_ip}:12345 and ( sport = :{client_ports[0]} or sport = :{client_ports[1]} )"
ss = subprocess.run(["ss", "-tn", query], capture_output=True, text=True)
print(f"ss -tn '{query}' (Local = this end, Peer = the server):")
print(ss.stdout.rstrip())
finish(first)
finish(second)

# 3. A port where nothing listens: the server's kernel answers with a reset.
try:
    connect("flask", 5001)
except ConnectionRefusedError as err:
    print(f"flask:5001: refused, {errno.errorcode[err.errno]} ({err})")

# 4. Where do the client ports come from? The kernel picks a free one from this range.
with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
    low, high = map(int, f.read().split())
print(f"ephemeral port range (/proc/sys/net/ipv4/ip_local_port_range): {low}-{high}")
for port in client_ports:
    print(f"client port {port}: {'inside' if low <= port <= high else 'OUTSIDE'} the range")
