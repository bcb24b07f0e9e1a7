"""Flood /dev/log for SECONDS with os.write(), as any exercise can; runs in the workbench (stdlib only).

    python3 syslog_flood.py TOKEN SECONDS [SIZE]     # SIZE: bytes of each datagram (default 512)

Each datagram is "<14>flood: TOKEN i xxx...", written flat out to a connected AF_UNIX
SOCK_DGRAM socket: a write blocks while the socket's queue is full, so this sends as fast as
rsyslog reads them. Prints one JSON line: datagrams and bytes sent, writes refused (rsyslog
restarting), and the seconds it took.
"""

import json
import os
import socket
import sys
import time


def main() -> None:
    token, seconds = sys.argv[1], float(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 512
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.connect("/dev/log")
    fd, sent, size_sent, refused = sock.fileno(), 0, 0, 0
    started = time.monotonic()
    deadline = started + seconds
    head = f"<14>flood: {token} ".encode()
    while time.monotonic() < deadline:
        for _ in range(100):  # the clock once every 100 datagrams
            message = head + f"{sent} ".encode()
            message += b"x" * max(0, size - len(message))
            try:
                size_sent += os.write(fd, message)
            except OSError:  # refused: rsyslog is restarting; not counted, and not retried
                refused += 1
                time.sleep(0.01)
                continue
            sent += 1
    elapsed = time.monotonic() - started
    print(json.dumps({"sent": sent, "bytes": size_sent, "refused": refused, "seconds": round(elapsed, 3)}))


if __name__ == "__main__":
    main()
