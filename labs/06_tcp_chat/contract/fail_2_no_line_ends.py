"""Mistake: the messages go out without "\n": the server hears one run-on line.
says: had no '\n' at the end"""

import os
import socket

token = os.environ["LAB_TOKEN"]
c = socket.create_connection(("chat", 12345))
for line in [f"hi {token}", f"how are you {token}", f"bye {token}"]:
    c.send(line.encode())
c.shutdown(socket.SHUT_WR)
c.close()
