"""Mistake: close() without shutdown(): with the greeting unread, that is a reset.
says: close() without shutdown()"""

import os
import socket
import time

token = os.environ["LAB_TOKEN"]
c = socket.create_connection(("chat", 12345))
for line in [f"hi {token}", f"how are you {token}", f"bye {token}"]:
    c.sendall(f"{line}\n".encode())
time.sleep(0.3)
c.close()
