"""sendmsg()/recvmsg() with poll() for the wait, in a function per datagram."""

import os
import select
import socket

LINK = ("127.0.0.1", 9915)
COUNT = int(os.environ.get("LAB_COUNT", "30"))


def deliver(sock, poller, number):
    """Send NUMBER's datagram until its own ACK comes back; how many copies it took."""
    copies = 0
    while True:
        sock.sendmsg([str(number).encode(), b" payload"], [], 0, LINK)
        copies += 1
        while poller.poll(120):  # milliseconds
            data, _, _, _ = sock.recvmsg(64)
            if data == f"ACK {number}".encode():
                return copies


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
poller = select.poll()
poller.register(sock, select.POLLIN)
total = sum(deliver(sock, poller, n) for n in range(1, COUNT + 1))
print(f"{COUNT} numbers, {total} copies")
sock.close()
