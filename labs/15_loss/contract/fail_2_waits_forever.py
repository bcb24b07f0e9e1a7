"""Mistake: recvfrom() with no timeout: the first lost datagram (or lost ACK) leaves it waiting
for an ACK that will never come.
says: never arrived"""

import os
import socket

COUNT = int(os.environ.get("LAB_COUNT", "30"))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for number in range(1, COUNT + 1):
    sock.sendto(f"{number} and wait".encode(), ("127.0.0.1", 9915))
    while sock.recvfrom(64)[0] != f"ACK {number}".encode():
        pass
sock.close()
