"""Lab 11, the reference solution: a server that frames its messages with the delimiter.

python -m lab_runner lab11 --solution
"""

import os
import socket

PORT = 12346
DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()


def answer(message):
    return message[::-1] + DELIMITER


def serve(conn):
    """Step 2: a buffer per connection. A recv() may hold several messages, a part of one, or
    one byte: what ends with the delimiter is a message; the rest waits for the next recv()."""
    pending = b""
    while True:
        data = conn.recv(1024)
        if not data:
            return
        pending += data
        while DELIMITER in pending:
            message, pending = pending.split(DELIMITER, 1)
            conn.sendall(answer(message))  # one send per message: each reply is its own


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", PORT))
    server.listen()
    print("listening on", server.getsockname(), "with the delimiter", DELIMITER)
    while True:
        conn, addr = server.accept()
        print("Accepted connection from:", addr)
        with conn:
            try:
                serve(conn)
            except ConnectionError as err:  # the client went away mid-answer: serve the next one
                print("lost the client:", err)


if __name__ == "__main__":
    main()
