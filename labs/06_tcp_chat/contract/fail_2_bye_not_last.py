"""Mistake: bye is said, then one more line goes out.
says: has no word 'bye'"""

import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi {token}", f"ok bye {token}", f"one more thing {token}"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)
