"""Mistake: a non-blocking socket and no timer: it sends again whenever the ACK is not there
yet, that very microsecond, so copies go out before an ACK had any time to come.
says: without waiting for their ACK"""

import os
import socket

COUNT = int(os.environ.get("LAB_COUNT", "30"))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setblocking(False)
for number in range(1, COUNT + 1):
    while True:
        sock.sendto(f"{number} spin".encode(), ("127.0.0.1", 9915))
        try:
            if sock.recvfrom(64)[0] == f"ACK {number}".encode():
                break
        except BlockingIOError:
            pass
sock.close()
