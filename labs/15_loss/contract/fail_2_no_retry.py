"""Mistake: it waits for each ACK, but never sends a datagram again when none comes.
says: never arrived"""

import os
import socket

COUNT = int(os.environ.get("LAB_COUNT", "30"))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.1)
for number in range(1, COUNT + 1):
    sock.sendto(f"{number} once".encode(), ("127.0.0.1", 9915))
    try:
        print(sock.recvfrom(64)[0])
    except TimeoutError:
        print(number, "lost, moving on")
sock.close()
