"""Lab 11, the reference solution: a server that frames its messages, with a delimiter on port
12346 and with a length prefix on port 12347.

    python -m lab_runner lab11 --solution
"""

import os
import socket
import threading

PORT = 12346
DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
SIZED_PORT = 12347
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))


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


def recv_exactly(conn, n):
    """N bytes from CONN, however many recv()s they take; None if the client left first."""
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            return None
        data += more
    return data


def serve_sized(conn):
    """Step 3: the prefix says how many bytes follow; both may come in pieces."""
    while (prefix := recv_exactly(conn, WIDTH)) is not None:
        message = recv_exactly(conn, int.from_bytes(prefix, "big"))
        if message is None:
            return
        reply = message[::-1]
        conn.sendall(len(reply).to_bytes(WIDTH, "big") + reply)


def listen(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen()
    print("listening on", server.getsockname())
    return server


def serve_forever(server, serve_one):
    """One client at a time on this listener."""
    while True:
        conn, addr = server.accept()
        print("Accepted connection from:", addr)
        with conn:
            try:
                serve_one(conn)
            except ConnectionError as err:  # the client went away mid-answer: serve the next one
                print("lost the client:", err)


def main():
    sized = listen(SIZED_PORT)  # first: it listens before the checks start (they wait for PORT)
    threading.Thread(target=serve_forever, args=(sized, serve_sized), daemon=True).start()
    serve_forever(listen(PORT), serve)


if __name__ == "__main__":
    main()
