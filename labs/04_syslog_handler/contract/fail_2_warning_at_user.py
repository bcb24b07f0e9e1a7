"""Mistake: the WARNING goes through the user handler: severity is the record's, facility is not.
says: local0"""

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
log.warning(f"warning {token}")
