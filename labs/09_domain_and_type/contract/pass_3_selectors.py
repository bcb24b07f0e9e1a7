"""Variant: a non-blocking UDP receiver under selectors; the one byte more refused with EMSGSIZE."""

import errno
import os
import selectors
import socket

# Each run carries a unique token, so the checks find this run's sockets and messages.
token = os.environ["LAB_TOKEN"]

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
receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", 0))
receiver.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(receiver, selectors.EVENT_READ)
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for size in (65507, 65508):
    try:
        sender.sendto(token.encode().ljust(size, b"."), receiver.getsockname())
    except OSError as err:
        print(f"UDP: {size} bytes: sendto() failed: {errno.errorcode[err.errno]}")
        continue
    sel.select()
    print(f"UDP: {size} bytes sent, {len(receiver.recv(70000))} received")
sel.close()
sender.close()
receiver.close()
