"""Lab 9: a socket's domain and type, and what each type promises, shown by experiment.

The second article: creating a socket takes a domain (AF_UNIX: same machine; AF_INET: across
a network; AF_VSOCK: between virtual machines and their host) and a type (SOCK_STREAM: a
two-way reliable byte stream). Here you try them, and a datagram type beside the stream.

Step 1 is the article's experiment, and this file already does it: run it, then read the trace.
    python -m lab_runner lab9
Steps 2 and 3 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab9` gives one hint
at a time, and `python -m lab_runner watch lab9` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/09_domain_and_type/exercise.py
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

# YOUR TURN (step 2): SOCK_SEQPACKET keeps message boundaries on a *connection*. Make an
# AF_UNIX, SOCK_SEQPACKET server socket named /tmp/<token>.seq (bind, listen), connect a
# client socket of the same kind to it, accept the connection, send three messages with the
# token from the client, and only then recv() on the accepted socket, with room for all three.


# YOUR TURN (step 3): a UDP datagram has a size limit. Over AF_INET, SOCK_DGRAM on 127.0.0.1,
# send a datagram of 65507 bytes that starts with the token to a UDP socket of your own, and
# receive it; then try 65508 bytes, and catch the error the kernel gives you.
