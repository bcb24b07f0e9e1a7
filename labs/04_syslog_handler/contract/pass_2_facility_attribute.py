"""Variant: one handler; its facility attribute changed between the two records."""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]

handler = SysLogHandler(address="/dev/log")
handler.ident = "lab4: "
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)
log.info(f"first the info, run {token}")
handler.facility = SysLogHandler.LOG_LOCAL0
log.warning(f"then the warning, run {token}")
