"""Variant: both datagrams written with os.write() on a connected socket's fileno()."""

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
os.write(s.fileno(), f"*****hello-{token}*****".encode())
os.write(s.fileno(), f"<{pri}>lab3: whole this time, run {token}".encode())
s.close()
