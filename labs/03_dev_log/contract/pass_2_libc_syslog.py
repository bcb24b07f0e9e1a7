"""Variant: the C library's syslog(3) writes the header itself: <132>, a timestamp, lab3[pid]:."""

import os
import socket
import syslog

token = os.environ["LAB_TOKEN"]
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.connect("/dev/log")
    s.send(f"hello bare {token}".encode())
syslog.openlog("lab3", syslog.LOG_PID, syslog.LOG_LOCAL0)
syslog.syslog(syslog.LOG_WARNING, f"through syslog(3), run {token}")
