"""Variant: sendmsg() with the header, tag and message as three buffers of one datagram."""

import os
import socket
import syslog

token = os.environ["LAB_TOKEN"]
facility = getattr(syslog, "LOG_" + os.environ["LAB_FACILITY"].upper())  # already shifted: 16 << 3
pri = facility | getattr(syslog, "LOG_" + os.environ["LAB_SEVERITY"].upper())
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendmsg([f"*****hello-{token}*****".encode()], [], 0, "/dev/log")
    s.sendmsg(
        [f"<{pri}>".encode(), b"lab3: ", f"sent in three buffers, run {token}".encode()], [], 0, "/dev/log"
    )
