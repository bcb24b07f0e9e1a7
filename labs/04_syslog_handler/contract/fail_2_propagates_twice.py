"""Mistake: the child logger propagates, so the warning goes out twice (local0 and user).
says: went out more than once"""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]

handler = SysLogHandler(address="/dev/log")
handler.ident = "lab4: "
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)
log.info(f"info {token}")
local0 = SysLogHandler(address="/dev/log", facility=SysLogHandler.LOG_LOCAL0)
local0.ident = "lab4: "
alerts = logging.getLogger("lab4.alerts")
alerts.addHandler(local0)
alerts.warning(f"warning {token}")
