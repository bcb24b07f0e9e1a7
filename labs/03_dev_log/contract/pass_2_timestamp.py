"""Variant: an RFC 3164 header with a timestamp, PRI from the library's constants, a helper."""

import os
import socket
import time
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]


def log(sock, text, facility=None, severity=None):
    if facility is None:
        sock.send(text.encode())
        return
    stamp = time.strftime("%b %e %H:%M:%S")  # "Dec  1 19:39:58"
    sock.send(f"<{facility << 3 | severity}>{stamp} lab3: {text}".encode())


sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.connect("/dev/log")
log(sock, f"bare words {token}")
log(
    sock,
    f"my own words, run {token}",
    SysLogHandler.facility_names[os.environ["LAB_FACILITY"]],
    SysLogHandler.priority_names[os.environ["LAB_SEVERITY"]],
)
sock.close()
