"""Variant: bytes built by hand, os.write() on the descriptor, a trailing newline and a
timestamp with a pid in the tag."""

import os
import socket

token = os.environ["LAB_TOKEN"].encode()
FACILITIES = {f"local{n}": 16 + n for n in range(8)}  # syslog.h: LOG_LOCAL0 is 16 << 3
SEVERITIES = {"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5, "info": 6, "debug": 7}
pri = FACILITIES[os.environ["LAB_FACILITY"]] * 8 + SEVERITIES[os.environ["LAB_SEVERITY"]]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
os.write(s.fileno(), b"xxhello " + token)
os.write(s.fileno(), b"<%d>Dec 24" % pri + b" 23:59:01 lab3[42]: warning words " + token + b"\n")
s.close()
