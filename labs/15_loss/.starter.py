"""Lab 15: loss.

UDP promises nothing: a datagram may never arrive, and nobody tells you. This lab's link loses
them for real: in your sandbox, the lab drops 30% of the datagrams to and from port 9915 at
random (with nftables, set before your program starts; your program cannot undo it). On the
other end, 127.0.0.1:9915, is the lab's receiver: it answers each datagram that starts with a
number, "7 ..." with "ACK 7", and keeps its own record of what arrived (your program cannot
read or write it; the checks do).

Step 1 already happens here: run it, and see the numbers that never arrived.
    python -m lab_runner lab15
Step 2 is yours: see "YOUR TURN" below. `python -m lab_runner hint lab15` gives one hint at a
time, and `python -m lab_runner watch lab15` checks again each time you save.
"""

import os
import socket

LINK = ("127.0.0.1", 9915)  # the lab's receiver, across the lossy link
COUNT = int(os.environ.get("LAB_COUNT", "30"))  # how many numbered datagrams: yours

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for number in range(1, COUNT + 1):
    sock.sendto(f"{number} datagram {number} of {COUNT}".encode(), LINK)
print(f"sent {COUNT} datagrams; the receiver's record says how many arrived")

# YOUR TURN (step 2): make every number arrive, each exactly once. After each datagram, wait
# for its "ACK <number>" (sock.settimeout(0.2), then sock.recvfrom(100)); when none comes in
# time (socket.timeout), send the same datagram again, and go on to the next number only once
# its own ACK came. The receiver keeps the first copy of each number and counts the others.
sock.close()
