"""Variant: a non-blocking datagram socket; each datagram sent once selectors says it is writable."""

import os
import selectors
import socket
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]
pri = (
    SysLogHandler.facility_names[os.environ["LAB_FACILITY"]] * 8
    + SysLogHandler.priority_names[os.environ["LAB_SEVERITY"]]
)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_WRITE)
for message in [f"*****hello-{token}*****", f"<{pri}>lab3: whole this time, run {token}"]:
    sel.select()
    s.send(message.encode())
sel.close()
s.close()
