"""Lab 13: one thread, many clients.

Beej's poll() server: a server that waits on one client's recv() cannot hear anyone else. Here
the service is small: a client sends lines, and the server answers each line with the line
reversed ("hello" -> "olleh"). A line ends with your own delimiter, LAB_DELIMITER ("\n", "|"
or ";": the checks know yours).

Step 1 is the article's first server, and this file already runs it: it serves one client at a
time, on port 12347, for the checks' two clients, then stops. The second client waits until the
first leaves. Run it, and read the report:
    python -m lab_runner lab13
Step 2 is yours: see "YOUR TURN" below. `python -m lab_runner hint lab13` gives one hint at a
time, and `python -m lab_runner watch lab13` checks again each time you save.
"""

import os
import socket

# Your line end, your own (the checks know it): "\n", "|" or ";".
END = os.environ.get("LAB_DELIMITER", "\n").encode()

PORT = 12347  # step 1: one client at a time
EVENT_PORT = 12348  # step 2: yours, every client at once

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", PORT))
listener.listen()
print(f"step 1: listening on port {PORT}, one client at a time")
for _ in range(2):  # the checks' two clients, one after the other
    conn, addr = listener.accept()  # a second client waits in the listen queue meanwhile
    print("serving", addr)
    pending = b""
    while data := conn.recv(1024):  # blocks until THIS client sends: nobody else is heard
        pending += data
        while END in pending:
            line, pending = pending.split(END, 1)
            conn.sendall(line[::-1] + END)
    print("gone:", addr)
    conn.close()
listener.close()

# YOUR TURN (step 2): the same service on port EVENT_PORT, for every client at once, in this
# one thread: no threads, no fork. Make the listener non-blocking and register it with a
# selectors.DefaultSelector() (or use select.select / select.poll); in a loop, select() tells
# which sockets are ready: the listener (accept a new client, register it too) or a client
# (recv() once: its bytes, or b"" when it left). Keep a buffer per client, and answer each
# complete line (up to END) with the line reversed, then END. Never call recv() on a socket
# that was not ready.
