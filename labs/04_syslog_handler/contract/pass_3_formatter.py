"""Variant: no ident; a Formatter writes the tag with %(process)d on both handlers."""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]

tagged = logging.Formatter("lab4[%(process)d]: %(message)s")

handler = SysLogHandler(address="/dev/log")
handler.setFormatter(tagged)
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)
log.info(f"info {token}")
local0 = SysLogHandler(address="/dev/log", facility=SysLogHandler.LOG_LOCAL0)
local0.setFormatter(tagged)
alerts = logging.getLogger("lab4.alerts")
alerts.propagate = False
alerts.addHandler(local0)
alerts.warning(f"warning {token}")
