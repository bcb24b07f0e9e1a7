"""Variant: sendto() with the address on an unconnected socket, and the classic tag[pid]: form."""

import os
import socket
from logging.handlers import SysLogHandler as Syslog

token = os.environ["LAB_TOKEN"]
facility, severity = os.environ["LAB_FACILITY"], os.environ["LAB_SEVERITY"]
pri = Syslog.facility_names[facility] << 3 | Syslog.priority_names[severity]
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendto(f"*****hello-{token}*****".encode(), "/dev/log")
    s.sendto(f"<{pri}>lab3[{os.getpid()}]: all stars intact, token {token}".encode(), "/dev/log")
