"""Variant: the WARNING through syslog(3) with LOG_PID (its tag is lab4[pid]: after a timestamp),
the INFO record through SysLogHandler with the same tag as its ident."""

import logging
import os
import syslog
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]
handler = SysLogHandler(address="/dev/log")
handler.ident = f"lab4[{os.getpid()}]: "
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)
log.info(f"hello from lab 4, run {token}")
handler.close()

syslog.openlog("lab4", syslog.LOG_PID, syslog.LOG_LOCAL0)
syslog.syslog(syslog.LOG_WARNING, f"disk nearly full (not really), run {token}")
