"""Lab 11: TCP has no message boundaries.

A small server: it listens on port 12346 and answers every message a client sends with that
message reversed. Clients end each message with a delimiter, which is yours: LAB_DELIMITER
in your environment (one character: "|", ";" or "#").

Step 1 is the experiment, and this file already does it: run it, then look at the page.
    python -m lab_runner lab11
    python -m lab_runner show lab11
The checks' client sends two messages with two send() calls, back to back. Your server's one
recv() gets both, glued: TCP carries a stream of bytes, and where one send() ended is lost.
Steps 2 and 3 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab11` gives one hint at
a time. By hand, in two terminals:
    docker compose exec workbench python3 /labs/11_message_boundaries/exercise.py
    docker compose exec workbench sh -c "printf 'hello|world|' | nc -q1 127.0.0.1 12346"
"""

import os
import socket

PORT = 12346
# Your delimiter: the byte that ends each message (the runner gives every learner their own).
DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
SIZED_PORT = 12347  # step 3: messages with their length in front
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))  # your length prefix: this many bytes, big-endian


def answer(message):
    """The reply to one message (its bytes, without the delimiter): the message reversed."""
    return message[::-1] + DELIMITER


def serve(conn):
    """Answer one client until it leaves."""
    while True:
        data = conn.recv(1024)
        if not data:  # b"": the client has closed its end
            return
        # YOUR TURN (step 2): one recv() is not one message. It may hold two messages and a
        # half, or one byte of a message. Keep what has arrived in a buffer, answer each
        # message that ends with DELIMITER, and keep the rest for the next recv().
        conn.sendall(answer(data.rstrip(DELIMITER)))


# YOUR TURN (step 3): a second listener on SIZED_PORT, served at the same time as PORT (a
# thread, or selectors over both). There a message is its length in WIDTH bytes, big-endian
# (int.from_bytes(prefix, "big")), then that many bytes; answer it with its bytes reversed,
# framed the same way (len(reply).to_bytes(WIDTH, "big") + reply). recv(n) may return fewer
# than n bytes, for the prefix too: read in a loop until you have them all.


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Lets a rerun bind the port at once, while the kernel still holds the last run's connections.
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", PORT))
    server.listen()
    print("listening on", server.getsockname(), "with the delimiter", DELIMITER)
    while True:  # one client at a time
        conn, addr = server.accept()
        print("Accepted connection from:", addr)
        with conn:
            try:
                serve(conn)
            except ConnectionError as err:  # the client went away mid-answer: serve the next one
                print("lost the client:", err)


if __name__ == "__main__":
    main()
