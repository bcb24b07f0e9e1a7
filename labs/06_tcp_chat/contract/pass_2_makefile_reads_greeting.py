"""Variant: writes through makefile("w"), reads the server's greeting first, then ends with
shutdown() and close()."""

import contextlib
import os
import socket

token = os.environ["LAB_TOKEN"]
sock = socket.create_connection(("chat", 12345))
sock.settimeout(2)
with contextlib.suppress(TimeoutError):
    print("greeting:", sock.recv(1024))
out = sock.makefile("w", encoding="utf-8", newline="\n")
for word in ("one", "two", "Bye"):
    out.write(f"{word} {token}\n")
    out.flush()
out.close()
sock.shutdown(socket.SHUT_WR)
sock.close()
