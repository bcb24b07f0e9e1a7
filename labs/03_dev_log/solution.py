"""Lab 3, the reference solution: the article's bare datagram, then one that arrives whole.

python -m lab_runner lab3 --solution
"""

import os
import socket
import uuid
from logging.handlers import SysLogHandler

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

clientsocket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
clientsocket.connect("/dev/log")

# Step 1: bare text, no header. rsyslog takes the first two characters for one, and loses them.
bare = f"*****************hello-{token}*****************"
clientsocket.send(bare.encode())
print("sent:", bare)

# Step 2: the header syslog expects, <PRI>, with PRI = facility * 8 + severity. Each learner has
# their own facility and severity (by hand, without them: local0.warning, <132>).
facility = os.environ.get("LAB_FACILITY", "local0")
severity = os.environ.get("LAB_SEVERITY", "warning")
pri = SysLogHandler.facility_names[facility] * 8 + SysLogHandler.priority_names[severity]
proper = f"<{pri}>lab3: *****hello from lab 3, whole, run {token}*****"
clientsocket.send(proper.encode())
print("sent:", proper)

clientsocket.close()
