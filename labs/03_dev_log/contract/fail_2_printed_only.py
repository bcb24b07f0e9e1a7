"""Mistake: the step's datagram printed, never sent.
says: no datagram to /dev/log starts with a <PRI> header"""

import os
import socket
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]
pri = (
    SysLogHandler.facility_names[os.environ["LAB_FACILITY"]] * 8
    + SysLogHandler.priority_names[os.environ["LAB_SEVERITY"]]
)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.send(f"*****hello-{token}*****".encode())
print(f"<{pri}>lab3: words {token}")
