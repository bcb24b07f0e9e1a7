"""Send COUNT numbered datagrams to /dev/log's socket; runs in the workbench (stdlib only).

    python3 syslog_burst.py TOKEN COUNT [RATE]     # RATE: datagrams per second, 0 = flat out

Each message is "<14>burst: TOKEN i". Every datagram is addressed by path (sendto), so when the
socket goes away (rsyslog restarting) the send fails at once and is retried until it is taken:
nothing this client was told was sent can be lost. Prints one JSON line of figures.
"""

import json
import socket
import sys
import time

PATH = "/run/syslog/log"


def main() -> None:
    token, count = sys.argv[1], int(sys.argv[2])
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    retries = 0
    started = time.monotonic()
    for i in range(count):
        message = f"<14>burst: {token} {i}".encode()
        while True:
            try:
                sock.sendto(message, PATH)
                break
            except OSError:  # ENOENT / ECONNREFUSED while rsyslog restarts: wait, send again
                retries += 1
                if retries > 200_000:
                    raise
                time.sleep(0.005)
        if rate and i % 100 == 99:
            ahead = started + (i + 1) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    seconds = time.monotonic() - started
    print(json.dumps({"sent": count, "retries": retries, "seconds": round(seconds, 3)}))


if __name__ == "__main__":
    main()
