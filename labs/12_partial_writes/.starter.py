"""Lab 12: send() can write less than it was given.

Beej, "Handling Partial send()s": send() returns how many bytes the kernel took, and that may
be fewer than you gave it. The kernel takes what fits in the socket's send buffer; the rest is
yours to send again once there is room. A blocking socket hides this (send() waits, sendall()
loops for you); a non-blocking one shows it.

This program is a server: it listens on port 12346, and the checks connect a reader to it that
reads slowly. It sends that reader LAB_LINES numbered lines with this run's token (LAB_TOKEN).

Step 1 is the experiment, and this file already does it: run it, and read the trace.
    python -m lab_runner lab12
Step 2 is yours: see "YOUR TURN" below. `python -m lab_runner hint lab12` gives one hint at a
time, and `python -m lab_runner watch lab12` checks again each time you save.
"""

import os
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
lines = int(os.environ.get("LAB_LINES", "6000"))  # your own number (the checks know it)
PORT = 12346
# Numbered lines, so that the reader can tell where each byte belongs.
payload = b"".join(f"{n:06d} {token}\n".encode() for n in range(lines))

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", PORT))
listener.listen()
print(f"listening on port {PORT}, {len(payload)} bytes to send")
conn, addr = listener.accept()
print("a reader connected from", addr)

# A small send buffer (the kernel doubles it): what send() takes at once is about this much,
# not the whole payload. Left alone, Linux grows it to megabytes on loopback.
conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
conn.setblocking(False)  # send() never waits: it takes what fits, or raises BlockingIOError

sent = conn.send(payload)  # sendto(...) = fewer than len(payload)
print(f"send() took {sent} of {len(payload)} bytes")
try:
    while sent < len(payload):  # again at once: the kernel takes a little more, until it is full
        sent += conn.send(payload[sent:])
except BlockingIOError:  # EAGAIN: the send buffer is full, and the reader has not read yet
    print(f"then send() raised BlockingIOError (EAGAIN) at {sent} bytes")

# YOUR TURN (step 2): payload[sent:] has not gone out yet. Write the loop that sendall() hides:
# wait until the socket is writable (selectors, select.select or select.poll asking for
# writing), send() the rest, add what send() returned to `sent`, and again, until all
# len(payload) bytes are sent. Keep the socket non-blocking: the wait is yours, not the kernel's.

print(f"{sent} of {len(payload)} bytes sent; closing")
conn.close()
listener.close()
