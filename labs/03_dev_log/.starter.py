"""Lab 3: write a datagram to /dev/log and find it in /var/log/syslog.

/dev/log is a Unix domain socket: a socket named by a file, for processes on the same machine.
rsyslogd (in the rsyslog container) listens on it; the workbench links /dev/log to its socket.

Step 1 is the first article's experiment, and this file already does it: run it, then look.
    python -m lab_runner lab3
    docker compose exec rsyslog tail /var/log/syslog
Step 2 is yours: see "YOUR TURN" below. `python -m lab_runner hint lab3` gives one hint at a
time, and `python -m lab_runner watch lab3` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/03_dev_log/exercise.py
"""

import os
import socket
import uuid

# Each run carries a unique token, so the checks find this run's lines and not an old one.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

clientsocket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
# the socket to which the syslogd is listening to is /dev/log
clientsocket.connect("/dev/log")

# Step 1, as in the article: bare text, no syslog header. Watch what arrives.
bare = f"*****************hello-{token}*****************"
clientsocket.send(bare.encode())
print("sent:", bare)

# YOUR TURN (step 2): send a second datagram that arrives whole, tagged lab3, at your own
# facility and severity, with this run's token in it. They are in your environment, like the
# token: os.environ["LAB_FACILITY"] (e.g. "local0") and os.environ["LAB_SEVERITY"] (e.g.
# "warning"); the report's first lines say yours. rsyslog expects a header <PRI> at the start
# of each datagram; compute PRI yourself.


clientsocket.close()
