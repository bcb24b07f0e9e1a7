"""Lab 9, the reference solution: the article's domains and types (step 1), then SOCK_SEQPACKET
keeping message boundaries on a connection (step 2), and the UDP size limit (step 3).

    python -m lab_runner lab9 --solution
"""

import errno
import os
import socket
import uuid

# Each run carries a unique token, so the checks find this run's sockets and messages.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# 1. The domain decides who you can reach, and what an address looks like.
inet = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
inet.bind(("127.0.0.1", 0))  # port 0: let the kernel pick one
print("AF_INET:  its address is (ip, port):", inet.getsockname())
inet.close()

unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
unix.bind(f"/tmp/{token}.sock")
print("AF_UNIX:  its address is a file name:", repr(unix.getsockname()))
unix.close()
os.unlink(f"/tmp/{token}.sock")

# AF_VSOCK: does this host let us make one? Try it and say what happened; do not assume.
try:
    vsock = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
    print("AF_VSOCK: socket() succeeded (its address would be (cid, port))")
    vsock.close()
except OSError as err:
    print(f"AF_VSOCK: socket() failed: {errno.errorcode[err.errno]} ({err.strerror})")

# 2. The type decides what the kernel promises about your data.
# Three sends on a stream, then one recv: the bytes come as one stream, boundaries lost.
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
    print(f"SOCK_DGRAM:  recv() #{n} ->", b.recv(4096))
a.close()
b.close()

# Step 2: SOCK_SEQPACKET, a connection (listen, connect, accept) that keeps message boundaries.
path = f"/tmp/{token}.seq"
server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
server.bind(path)
server.listen(1)
client = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
client.connect(path)  # the kernel completes it into the listen queue; accept() picks it up
conn, _ = server.accept()
for word in words:
    client.send(word.encode())
for n in range(1, 4):
    print(f"SOCK_SEQPACKET: recv() #{n} ->", conn.recv(4096))
for s in (client, conn, server):
    s.close()
os.unlink(path)

# Step 3: a UDP datagram's length field is 16 bits: 65535 - 8 (UDP header) - 20 (IPv4 header)
# = 65507 bytes of data at most. One byte more and sendto() fails before anything leaves.
receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", 0))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for size in (65507, 65508):
    data = token.encode().ljust(size, b".")
    try:
        sender.sendto(data, receiver.getsockname())
        got = receiver.recv(70000)
        print(f"UDP: {size} bytes sent, one datagram of {len(got)} bytes received")
    except OSError as err:
        print(f"UDP: {size} bytes: sendto() failed: {errno.errorcode[err.errno]} ({err.strerror})")
sender.close()
receiver.close()
