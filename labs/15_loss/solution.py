"""Lab 15: loss. The reference: stop-and-wait, each datagram sent until its own ACK comes."""

import os
import socket

LINK = ("127.0.0.1", 9915)  # the lab's receiver, across the lossy link
COUNT = int(os.environ.get("LAB_COUNT", "30"))  # how many numbered datagrams: yours
WAIT = 0.1  # seconds for an ACK: loopback answers in well under a millisecond

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(WAIT)


def acknowledged(number):
    """True once "ACK <number>" comes; False when none comes in WAIT seconds."""
    try:
        while True:
            answer, _ = sock.recvfrom(100)
            if answer == f"ACK {number}".encode():
                return True
            # an ACK of an earlier number, late: not this one's, wait on
    except TimeoutError:
        return False


copies = 0
for number in range(1, COUNT + 1):
    datagram = f"{number} datagram {number} of {COUNT}".encode()
    sock.sendto(datagram, LINK)
    copies += 1
    while not acknowledged(number):  # the datagram or its ACK was lost: send it again
        sock.sendto(datagram, LINK)
        copies += 1
print(f"sent {COUNT} datagrams in {copies} copies; each acknowledged")
sock.close()
