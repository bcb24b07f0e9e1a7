"""Variant: the lines written through makefile("w"), one flush at the end, then shutdown()."""

import os
import socket

token = os.environ["LAB_TOKEN"]
c = socket.create_connection(("chat", 12345))
with c.makefile("w", encoding="utf-8", newline="\n") as f:
    print(f"hi, this is {token}", file=f)
    print(f"how are you ({token})", file=f)
    print(f"ok bye ({token})", file=f)
c.shutdown(socket.SHUT_WR)
c.close()
