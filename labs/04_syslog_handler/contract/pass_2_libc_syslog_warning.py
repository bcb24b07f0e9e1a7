"""Variant: the INFO record through SysLogHandler, the WARNING through the C library's syslog(3),
which writes <132>, a timestamp, then the tag: rsyslog reads the timestamp as the time."""

import logging
import os
import syslog
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]
handler = SysLogHandler(address="/dev/log")
handler.ident = "lab4: "
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)
log.info(f"hello from lab 4, run {token}")
handler.close()

syslog.openlog("lab4", 0, syslog.LOG_LOCAL0)
syslog.syslog(syslog.LOG_WARNING, f"disk nearly full (not really), run {token}")
