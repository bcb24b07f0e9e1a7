"""Lab 10, the reference solution: the article's blocking client (step 1), then the same request
over a non-blocking connect (step 2).

    python -m lab_runner lab10 --solution
"""

import errno
import os
import selectors
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n"

# Step 1: every call blocks until the kernel is done.
clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # socket()
clientsocket.connect(("flask", 5000))  # DNS for "flask", then connect() = 0
clientsocket.sendall(request.encode())  # sendto()
answer = b""
while chunk := clientsocket.recv(4096):  # recvfrom() until it returns 0
    answer += chunk
clientsocket.close()  # close()
print("step 1, blocking:", answer.decode(errors="replace").splitlines()[0])

# Step 2: connect() without waiting. The kernel starts the TCP handshake and answers at once:
# connect() = -1 EINPROGRESS. The socket becomes writable when the handshake is over, and
# SO_ERROR then says how it ended (0: connected; else the errno connect() would have raised).
nb = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
nb.setblocking(False)
started = nb.connect_ex(("flask", 5000))  # the name lookup still blocks; connect() does not
print("step 2, connect_ex() returned", errno.errorcode.get(started, started))
with selectors.DefaultSelector() as selector:
    selector.register(nb, selectors.EVENT_WRITE)
    if not selector.select(timeout=5):
        raise TimeoutError("flask:5000 did not answer the handshake within 5 s")
failure = nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)  # getsockopt(..., SO_ERROR, [0], ...)
if failure:
    raise OSError(failure, os.strerror(failure))
nb.setblocking(True)  # connected: from here on, plain blocking calls are simplest
nb.sendall(request.encode())
answer = b""
while chunk := nb.recv(4096):
    answer += chunk
nb.close()
print("step 2, non-blocking connect:", answer.decode(errors="replace").splitlines()[0])
