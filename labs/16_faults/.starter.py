"""Lab 16: faults injected into your own calls.

The runner traces this program with strace, and this lab also has strace answer some of its
system calls itself (lab.toml's [[faults]]): those calls never reach the kernel. Here:
    each thread's first connect()s         -1 ECONNREFUSED (3 to 5 of them: yours is LAB_REFUSED)
    the first recvfrom() (a recv)          -1 EINTR      (Python calls it again itself: PEP 475)
    the fifth sendto() (a send)            -1 ECONNRESET (the fourth sendmsg() too)
Your program must survive them: try again with backoff, reconnect and resume.

Step 1 is already here: run it, and compare the trace (connect() = -1 ECONNREFUSED (INJECTED))
with the packets (no SYN left).
    python -m lab_runner lab16
Steps 2 and 3 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab16` gives one hint
at a time. Run by hand (docker compose exec workbench python3 /labs/16_faults/exercise.py), no
fault is injected: every call reaches the kernel.
"""

import os
import socket
import uuid

# Each run carries a unique token, so the checks find this run's lines in the servers' logs.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
# The servers' addresses as numbers: looking up a name ("flask") makes connect()s of its own
# (to nscd, to Docker's DNS server), and the lab's faults would count those too.
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()


def fetch(sock):
    """Send the request on SOCK and read the whole answer (recv() until it returns b'')."""
    sock.sendall(request)
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    return answer


# Step 1: one try. The lab refuses it, and the kernel never hears of it.
try:
    sock = socket.create_connection(FLASK, timeout=5)
except ConnectionRefusedError as err:
    print(f"step 1: connect() to {FLASK[0]}:{FLASK[1]} failed: {err}")
    print("step 1: yet no SYN went out: the refusal came from strace, not from Flask's kernel")
else:
    with sock:
        print("step 1: connected at once (no fault injected):", fetch(sock).split(b"\r\n", 1)[0].decode())

# YOUR TURN (step 2): replace step 1's single try above with a loop that tries again: catch
# ConnectionRefusedError, time.sleep(delay), double the delay (0.1 s, 0.2 s, 0.4 s ...), at
# most a few tries. Once connected, fetch() the answer: Flask must log your request with 200.

# YOUR TURN (step 3): send LINES lines (your own number), f"{token} line {n}/{LINES}\n" for
# n = 1 .. LINES, to the chat server at CHAT, one sendall() per line (read its welcome line
# first). One send will fail with ConnectionResetError: close that socket, connect again, and
# go on from the line that failed, so that chat hears each line exactly once.
