"""Mistake: the ident set after the record was logged: it went out untagged.
says: set handler.ident = 'lab4: ' before logging"""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]
handler = SysLogHandler(address="/dev/log")
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)
log.info(f"hello from lab 4, run {token}")
handler.ident = "lab4: "
handler.close()
