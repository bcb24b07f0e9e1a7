"""Lab 14: how a connection ends.

A TCP connection has two directions, and each is ended on its own: shutdown(SHUT_WR) ends
yours (a FIN: "no more from me") and you can still read; close() ends both, and what arrives
afterwards, or was still unread, is answered with an RST. The side that sends its FIN first
keeps the connection in TIME_WAIT for a minute, and a server's port stays taken meanwhile.
Step 1 is the experiment, already here: a client close()s right after sending, to a server
that answers only once it has read everything. Run it, then look at the packets on the page:
    python -m lab_runner lab14
    python -m lab_runner show lab14
Steps 2, 3 and 4 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab14` gives one
hint at a time, and `python -m lab_runner watch lab14` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/14_closing/exercise.py
"""

import os
import socket
import threading
import uuid

# Each run carries a unique token; the port and the size are yours (the runner sets them).
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
PORT = int(os.environ.get("LAB_PORT", "24680"))  # your server's port (steps 3 and 4)
SIZE = int(os.environ.get("LAB_SIZE", "100000"))  # bytes the reversing server answers


def reverser(listener):
    """The server of steps 1 and 2: it reads until the end of the stream (recv() returns b''),
    and only then answers: what it read, reversed, repeated to SIZE bytes. Then it closes."""
    conn, peer = listener.accept()
    with listener, conn:
        got = b""
        while chunk := conn.recv(65536):
            got += chunk
        answer = (got[::-1] * (SIZE // max(1, len(got)) + 1))[:SIZE]
        try:
            conn.sendall(answer)
        except OSError as err:  # the client is gone: nobody reads the answer
            print(f"  the server could not answer {peer}: {err}")


def start_reverser():
    """A reversing server on a port the kernel picks: its (host, port), and its thread."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = threading.Thread(target=reverser, args=(listener,))
    server.start()
    return listener.getsockname(), server


def talker(port):
    """The client of steps 3 and 4: it sends a request line, then SIZE more bytes the server
    never asked for, then reads the answer until the server's end, and closes."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            c.sendall(f"hello-{token}\n".encode() + b"." * SIZE)
            answer = b""
            while chunk := c.recv(65536):
                answer += chunk
            print(f"  the client on {port} got {answer!r}")
    except OSError as err:
        print(f"  the client on {port}: {err}")


def start_talker(port):
    """The client of steps 3 and 4 in a thread of its own: start it once your server listens."""
    client = threading.Thread(target=talker, args=(port,))
    client.start()
    return client


# Step 1, the experiment: send, then close() at once, the way a client often ends. The server
# reads until our FIN, then answers; but close() gave up reading too, so our kernel answers the
# answer with an RST (watch the packets), and the server's sendall() fails.
address, server = start_reverser()
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(address)
client.sendall(f"hello-{token}".encode())
client.close()
server.join()
print("step 1: close() right after sending; the answer hit a closed socket")

# Step 2: end only the sending side, then read the whole answer, until the server's end.
address, server = start_reverser()
with socket.create_connection(address) as client:
    client.sendall(f"hello again-{token}".encode())
    client.shutdown(socket.SHUT_WR)  # a FIN: the server sees the end of the stream and answers
    answer = b""
    while chunk := client.recv(65536):
        answer += chunk
server.join()
print(f"step 2: after shutdown(SHUT_WR), {len(answer)} bytes of answer, read until b''")


def serve_once(listener):
    """Serve one talker: read its request line, answer, and end first, cleanly."""
    talking = start_talker(PORT)
    conn, peer = listener.accept()
    with conn:
        request = conn.recv(4096)  # the request line, and perhaps some of the rest
        conn.sendall(b"ok " + request.split(b"\n", 1)[0] + b"\n")
        conn.shutdown(socket.SHUT_WR)  # our FIN first: this side will keep the TIME_WAIT
        while conn.recv(65536):  # what the client still sends, until its FIN: no RST
            pass
    talking.join()
    print(f"  served {peer} and closed first, cleanly")


def listener_on(port):
    """A listening socket on PORT with SO_REUSEADDR set before bind()."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    return listener


# Step 3: a server of my own, which ends its connection first, cleanly.
with listener_on(PORT) as listener:
    serve_once(listener)
print(f"step 3: the server on {PORT} closed first: its end waits in TIME_WAIT")

# Step 4: bind the port again at once. As it was, without SO_REUSEADDR, bind() fails.
plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    plain.bind(("127.0.0.1", PORT))
except OSError as err:
    print(f"step 4: without SO_REUSEADDR: {err}")
plain.close()
with listener_on(PORT) as listener:
    serve_once(listener)
print(f"step 4: with SO_REUSEADDR, bound {PORT} again at once")
