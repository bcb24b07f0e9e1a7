"""Variant: a non-blocking client under selectors: the lines sent when writable, shutdown(),
then the greeting read until b'' before close()."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]
lines = [f"hi, this is {token}\n", f"how are you ({token})\n", f"ok bye ({token})\n"]
out = "".join(lines).encode()

c = socket.create_connection(("chat", 12345))
c.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(c, selectors.EVENT_WRITE)
done = False
while not done:
    for _key, events in sel.select():
        if events & selectors.EVENT_WRITE:
            out = out[c.send(out) :]
            if not out:
                c.shutdown(socket.SHUT_WR)
                sel.modify(c, selectors.EVENT_READ)
        else:
            data = c.recv(4096)
            print("heard:", data)
            done = not data
sel.close()
c.close()
