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

# YOUR TURN (step 2): start another reverser (address, server = start_reverser()), connect to
# it, send hello-<token>, and end only your sending side: shutdown(socket.SHUT_WR). Then read
# the answer with recv() until it returns b'' (all SIZE bytes of it), close(), server.join().

# YOUR TURN (step 3): a server of your own on ("127.0.0.1", PORT): bind, listen, then
# start_talker(PORT), accept its connection, read the request line, answer one line, and end
# the connection first, cleanly: the client sent more than you read, so close() now would
# send an RST. shutdown(socket.SHUT_WR), read until b'', then close() (and the listener).

# YOUR TURN (step 4): right after step 3, bind ("127.0.0.1", PORT) again on a new socket,
# listen, start_talker(PORT) and serve it once more. The connection of step 3 is in TIME_WAIT
# on your port: bind() fails with EADDRINUSE unless SO_REUSEADDR is set before bind(), on
# this socket and on step 3's listener (its connection keeps the setting it was made with).
