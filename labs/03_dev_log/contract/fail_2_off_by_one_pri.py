"""Mistake: PRI computed as facility * 8 + severity with the facility counted one too high.
says: your facility local"""

import os
import socket
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]
pri = (SysLogHandler.facility_names[os.environ["LAB_FACILITY"]] + 1) * 8 + SysLogHandler.priority_names[
    os.environ["LAB_SEVERITY"]
]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.send(f"*****hello-{token}*****".encode())
s.send(f"<{pri}>lab3: words {token}".encode())
