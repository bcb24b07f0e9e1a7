"""Variant: one logger, two handlers, each letting through its own levels (a Filter)."""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]

user = SysLogHandler(address="/dev/log")
user.ident = "lab4: "
user.addFilter(lambda record: record.levelno < logging.WARNING)
local0 = SysLogHandler(address="/dev/log", facility=SysLogHandler.LOG_LOCAL0)
local0.ident = "lab4: "
local0.addFilter(lambda record: record.levelno >= logging.WARNING)
log = logging.getLogger("lab4")
log.setLevel(logging.DEBUG)
log.addHandler(user)
log.addHandler(local0)
log.info(f"info words {token}")
log.warning(f"warning words {token}")
