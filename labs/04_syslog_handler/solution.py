"""Lab 4, the reference solution: an INFO record at facility user, a WARNING at local0, each
line tagged lab4[<pid>] the way syslog(3) does.

    python -m lab_runner lab4 --solution
"""

import logging
import os
import uuid
from logging.handlers import SysLogHandler

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# Step 3: the classic tag, name[pid]: the same process id strace sees make the sendto().
ident = f"lab4[{os.getpid()}]: "

# Step 1: the handler's facility is user (1): an INFO record goes out as <14> (1 * 8 + 6).
handler = SysLogHandler(address="/dev/log")
handler.ident = ident
log = logging.getLogger("lab4")
log.setLevel(logging.INFO)
log.addHandler(handler)

message = f"hello from lab 4, run {token}"
log.info(message)
print(f"logged at INFO, facility user: {message}")

# Step 2: the facility belongs to the handler, the severity to the record. A second handler at
# local0 on a logger of its own: a WARNING through it goes out as <132> (16 * 8 + 4).
local0 = SysLogHandler(address="/dev/log", facility=SysLogHandler.LOG_LOCAL0)
local0.ident = ident
alerts = logging.getLogger("lab4.alerts")
alerts.addHandler(local0)
# "lab4.alerts" is a child of "lab4": without this, "lab4"'s handler would send the record too,
# at facility user, and the warning would arrive twice.
alerts.propagate = False

warning = f"disk nearly full (not really), run {token}"
alerts.warning(warning)
print(f"logged at WARNING, facility local0: {warning}")

handler.close()
local0.close()
