"""Mistake: the right PRI, but no tag: the first word of the message becomes the tag.
says: as the tag"""

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
s.send(f"<{pri}>hello from lab three {token}".encode())
