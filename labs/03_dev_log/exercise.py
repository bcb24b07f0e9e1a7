"""Lab 3: write a datagram to /dev/log and find it in /var/log/syslog.

/dev/log is a Unix domain socket: a socket named by a file, for processes on the same machine.
rsyslogd (in the rsyslog container) listens on it; every container here links /dev/log to
its socket. Run it with
    python -m lab_runner lab3
or by hand: docker compose exec workbench python3 /labs/03_dev_log/exercise.py
"""

import os
import socket
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

clientsocket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
clientsocket.connect("/dev/log")

# As in the article: bare text, no syslog header. Watch what arrives.
bare = f"*****************hello-{token}*****************"
clientsocket.send(bare.encode())
print("sent:", bare)

# The way syslog expects it: <PRI> first. 14 = facility user (1) * 8 + severity info (6).
proper = f"<14>lab3: hello from lab 3, run {token}"
clientsocket.send(proper.encode())
print("sent:", proper)
clientsocket.close()
