"""Lab 9: a socket's domain and type, and what each type promises, shown by experiment.

The second article: creating a socket takes a domain (AF_UNIX: same machine; AF_INET: across
a network; AF_VSOCK: between virtual machines and their host) and a type (SOCK_STREAM: a
two-way reliable byte stream; SOCK_DGRAM: separate messages). Here you try each of them.
Run it with
    python -m lab_runner lab9
or by hand: docker compose exec workbench python3 /labs/09_domain_and_type/exercise.py
"""

import errno
import os
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# 1. The domain decides what an address looks like.
inet = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
inet.bind(("127.0.0.1", 0))  # port 0: let the kernel pick one
print("AF_INET:  address is (ip, port):", inet.getsockname())
inet.close()
unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
unix.bind(f"/tmp/{token}.sock")
print("AF_UNIX:  address is a file name:", repr(unix.getsockname()))
unix.close()
os.unlink(f"/tmp/{token}.sock")

# AF_VSOCK: does this host let us make one? Try it and report what happened; do not assume.
with open("/proc/net/protocols") as f:
    print("AF_VSOCK: the kernel lists it in /proc/net/protocols:", "AF_VSOCK" in f.read())
try:
    vsock = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
    print("AF_VSOCK: socket() succeeded (its address would be (cid, port))")
    vsock.close()
except OSError as err:
    print(f"AF_VSOCK: socket() failed: {errno.errorcode[err.errno]} ({err})")

# 2. Three sends on a stream, then one recv: the bytes come as one stream, boundaries lost.
words = [f"one-{token}|", f"two-{token}|", f"three-{token}|"]
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
for word in words:
    a.send(word.encode())
print("SOCK_STREAM: 3 send() calls, then recv() ->", b.recv(4096))
a.close()
b.close()

# The same three sends as datagrams: each recv() gets exactly one message, boundaries kept.
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
for word in words:
    a.send(word.encode())
for n in range(1, 4):
    print(f"SOCK_DGRAM: recv() #{n} ->", b.recv(4096))
a.close()
b.close()

# 3. A UDP datagram has a size limit: its length field is 16 bits, so at most
# 65535 - 8 (UDP header) - 20 (IP header) = 65507 bytes of data. A stream has no such limit.
receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", 0))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for size in (65507, 65508):
    data = token.encode().ljust(size, b".")
    try:
        sender.sendto(data, receiver.getsockname())
        got = receiver.recv(100_000)
        print(f"UDP: {size} bytes sent, one datagram of {len(got)} bytes received, starting {got[:30]}")
    except OSError as err:
        print(f"UDP: {size} bytes: sendto() failed: {errno.errorcode[err.errno]} ({err})")
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
a.sendall(token.encode().ljust(70000, b"."))
a.close()
got = b""
while chunk := b.recv(100_000):
    got += chunk
print(f"SOCK_STREAM: 70000 bytes sent, {len(got)} bytes received, starting {got[:30]}")

# 4. A port where nothing listens (flask:5001). UDP sends without asking anyone first;
# TCP must connect first, and the other machine refuses.
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = udp.sendto(f"anyone there? {token}".encode(), ("flask", 5001))
print(f"UDP to flask:5001: sendto() returned {sent}: no error, nobody asked")
try:
    socket.create_connection(("flask", 5001), timeout=5)
except ConnectionRefusedError as err:
    print(f"TCP to flask:5001: connect() failed: {errno.errorcode[err.errno]} ({err})")
# Did the UDP datagram arrive? The other kernel may answer "port unreachable" (ICMP), and a
# *connected* UDP socket hears of it on its next call. Nothing promises that it does.
udp.connect(("flask", 5001))
udp.send(f"anyone there? {token}".encode())
udp.settimeout(1)
try:
    udp.recv(100)
except OSError as err:
    print(f"UDP, connected, then recv(): {type(err).__name__} ({err})")
