"""A sliding window (selective repeat): up to 5 numbers in flight, each with its own timer;
selectors for the wait. Only the numbers whose timer ran out are sent again."""

import os
import selectors
import socket
import time

LINK = ("127.0.0.1", 9915)
COUNT = int(os.environ.get("LAB_COUNT", "30"))
WINDOW, RTO = 5, 0.1

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(sock, selectors.EVENT_READ)
next_number, sent_at, acked = 1, {}, set()
while len(acked) < COUNT:
    while next_number <= COUNT and len(sent_at) < WINDOW:  # fill the window
        sock.sendto(b"%d window" % next_number, LINK)
        sent_at[next_number] = time.monotonic()
        next_number += 1
    soonest = min(sent_at.values()) + RTO - time.monotonic()
    if sel.select(max(soonest, 0.001)):
        while True:
            try:
                data, _ = sock.recvfrom(64)
            except BlockingIOError:
                break
            number = int(data.split()[1])
            if number in sent_at:
                del sent_at[number]
                acked.add(number)
    now = time.monotonic()
    for number, at in list(sent_at.items()):
        if now - at >= RTO:  # its timer ran out: the datagram or its ACK was lost
            sock.sendto(b"%d window" % number, LINK)
            sent_at[number] = now
print("window done")
