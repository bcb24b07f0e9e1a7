"""Mistake: a pid written into the source, not the process's own.
says: pid"""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]

IDENT = "lab4[1234]: "

handler = SysLogHandler(address="/dev/log")
handler.ident = IDENT
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)
log.info(f"info {token}")
local0 = SysLogHandler(address="/dev/log", facility=SysLogHandler.LOG_LOCAL0)
local0.ident = IDENT
alerts = logging.getLogger("lab4.alerts")
alerts.propagate = False
alerts.addHandler(local0)
alerts.warning(f"warning {token}")
