"""Mistake: every datagram sent five times, blindly, and the ACKs read at the end: with luck
all arrive, but no copy waited for anything.
says: without waiting for their ACK"""

import os
import socket

COUNT = int(os.environ.get("LAB_COUNT", "30"))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for number in range(1, COUNT + 1):
    for _ in range(5):
        sock.sendto(f"{number} again and again".encode(), ("127.0.0.1", 9915))
sock.settimeout(0.3)
try:
    while True:
        sock.recvfrom(64)
except TimeoutError:
    pass
sock.close()
