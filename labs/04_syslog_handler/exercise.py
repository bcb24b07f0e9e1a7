"""Lab 4: the library way to lab 3: logging.handlers.SysLogHandler writes to /dev/log for you.

The first article ends with a note: Python has an API that makes writing to syslog easier.
This is it. The handler opens the same AF_UNIX datagram socket as lab 3, and puts the <PRI>
header in front of every message, so nothing is lost. Run it with
    python -m lab_runner lab4
or by hand: docker compose exec workbench python3 /labs/04_syslog_handler/exercise.py
"""

import logging
import logging.handlers
import os
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# The handler connects a Unix datagram socket to /dev/log, as lab 3 did by hand.
handler = logging.handlers.SysLogHandler(address="/dev/log")
# The tag that names the program in /var/log/syslog: "... rsyslog lab4: <message>".
handler.ident = "lab4: "

log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
# One handler: two SysLogHandlers on a logger (say, set up twice) would send every record twice.
log.addHandler(handler)

# One record is one datagram is one line. Its level becomes the syslog severity in <PRI>:
# INFO is <14> (facility user 1 * 8 + severity info 6), WARNING is <12> (1 * 8 + 4).
records = [
    (logging.INFO, f"hello from lab 4, run {token}"),
    (logging.WARNING, f"this one is a warning, run {token}"),
]
for level, message in records:
    log.log(level, message)
    # What the handler put in the datagram (strace shows the real bytes; see the README).
    pri = handler.encodePriority(handler.facility, handler.mapPriority(logging.getLevelName(level)))
    print(f"sent: <{pri}>{handler.ident}{message}\\0")

handler.close()  # closes the socket
