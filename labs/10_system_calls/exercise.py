"""Lab 10: the system calls under the hood.

The second article: "Creating and running a socket involves system calls. System calls are
executed in the Kernel on behalf of the user." Every socket method in Python ends in one. The
runner traces this program (strace runs around it in the workbench) and prints its socket
calls, each with its arguments and what the kernel answered: read them beside the code below.

Step 1 is the article's point, and this file already makes it: run it, then read the trace.
    python -m lab_runner lab10
Step 2 is yours: see "YOUR TURN" below. `python -m lab_runner hint lab10` gives one hint at a
time, and `python -m lab_runner watch lab10` checks again each time you save.
By hand, with your own strace:
    docker compose exec workbench strace -f -e trace=%network python3 /labs/10_system_calls/exercise.py
"""

import os
import socket
import uuid

# Each run carries a unique token, so the checks find this run's request in Flask's log.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n"

# Each line's comment names the system call it makes.
clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # socket()
clientsocket.connect(("flask", 5000))  # asks Docker's DNS server for "flask", then connect()
clientsocket.sendall(request.encode())  # sendto()
answer = b""
while chunk := clientsocket.recv(4096):  # recvfrom(); 0 bytes: the server closed its side
    answer += chunk
clientsocket.close()  # close()
print("step 1, blocking:", answer.decode(errors="replace").splitlines()[0])

# YOUR TURN (step 2): the same request, on a socket that never blocks in connect(). Make a new
# socket, setblocking(False), and start connecting with connect_ex(): it returns at once, with
# EINPROGRESS. Wait until the socket is writable (module selectors or select), ask the kernel
# how the connection ended with getsockopt(SOL_SOCKET, SO_ERROR), and only then send the
# request (with the token) and read the answer.
