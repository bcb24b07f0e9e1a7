"""Variant: a helper makes each handler, its ident computed from os.getpid() there."""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]


def syslog_handler(facility=SysLogHandler.LOG_USER):
    handler = SysLogHandler(address="/dev/log", facility=facility)
    handler.ident = f"lab4[{os.getpid()}]: "
    return handler


log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(syslog_handler())
log.info(f"info {token}")
alerts = logging.getLogger("lab4.alerts")
alerts.propagate = False
alerts.addHandler(syslog_handler(SysLogHandler.LOG_LOCAL0))
alerts.warning(f"warning {token}")
