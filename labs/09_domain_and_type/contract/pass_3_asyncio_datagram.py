"""Variant: the UDP limit with asyncio datagram endpoints; the refusal arrives in error_received()."""

import asyncio
import errno
import os
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


class Receiver(asyncio.DatagramProtocol):
    def __init__(self):
        self.got = asyncio.get_running_loop().create_future()

    def datagram_received(self, data, addr):
        self.got.set_result(data)


class Sender(asyncio.DatagramProtocol):
    def error_received(self, exc):
        print(f"UDP: sendto() failed: {errno.errorcode[exc.errno]} ({exc.strerror})")


async def main():
    loop = asyncio.get_running_loop()
    receiving, receiver = await loop.create_datagram_endpoint(Receiver, local_addr=("127.0.0.1", 0))
    sending, _ = await loop.create_datagram_endpoint(Sender, family=socket.AF_INET)
    where = receiving.get_extra_info("sockname")
    sending.sendto(token.encode().ljust(65507, b"."), where)
    print("UDP: one datagram of", len(await receiver.got), "bytes received")
    sending.sendto(token.encode().ljust(65508, b"."), where)
    await asyncio.sleep(0.1)
    sending.close()
    receiving.close()


asyncio.run(main())
