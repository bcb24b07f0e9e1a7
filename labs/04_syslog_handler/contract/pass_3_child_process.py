"""Variant: the warning is logged by a child process (fork), tagged with the child's own pid."""

import logging
import os
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]

log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
handler = SysLogHandler(address="/dev/log")
handler.ident = f"lab4[{os.getpid()}]: "
log.addHandler(handler)
log.info(f"info {token}")
if os.fork() == 0:
    local0 = SysLogHandler(address="/dev/log", facility=SysLogHandler.LOG_LOCAL0)
    local0.ident = f"lab4[{os.getpid()}]: "
    alerts = logging.getLogger("lab4.alerts")
    alerts.propagate = False
    alerts.addHandler(local0)
    alerts.warning(f"warning from the child {token}")
    os._exit(0)
os.wait()
