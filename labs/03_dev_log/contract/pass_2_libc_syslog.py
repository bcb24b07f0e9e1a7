"""Variant: the C library's syslog(3) writes the header itself: <PRI>, a timestamp, lab3[pid]:."""

import os
import socket
import syslog

token = os.environ["LAB_TOKEN"]
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.connect("/dev/log")
    s.send(f"hello bare {token}".encode())
facility = getattr(syslog, "LOG_" + os.environ["LAB_FACILITY"].upper())  # local3: LOG_LOCAL3
severity = getattr(syslog, "LOG_" + os.environ["LAB_SEVERITY"].upper())  # err: LOG_ERR
syslog.openlog("lab3", syslog.LOG_PID, facility)
syslog.syslog(severity, f"through syslog(3), run {token}")
