"""Read what a container's log file gained since a point in time, so no test passes on old lines."""

from __future__ import annotations

import time

import testinfra


class LogCursor:
    """Remembers a log file's size; `new()` is everything written after that.

    >>> cursor = LogCursor(flask_host, "/var/log/flask/flask.log")   # doctest: +SKIP
    >>> ...send something...
    >>> cursor.wait_for("Bad request syntax")                          # doctest: +SKIP

    The logs are rotated (PATH becomes PATH.1 and starts again, as rsyslog-rotate and Python's
    RotatingFileHandler do it): if PATH is another file than it was, what was written after
    that point is the rest of PATH.1, then all of PATH.
    """

    def __init__(self, host: testinfra.host.Host, path: str) -> None:
        self.host, self.path = host, path
        inode, size = host.run(f"stat -c '%i %s' {path} 2>/dev/null || echo 0 0").stdout.split()[-2:]
        self.inode, self.offset = inode, int(size)

    def new(self) -> str:
        start, path = self.offset + 1, self.path
        return self.host.run(
            f'if [ "$(stat -c %i {path} 2>/dev/null)" = {self.inode} ]; then tail -c +{start} {path};'
            f" else tail -c +{start} {path}.1 2>/dev/null; cat {path} 2>/dev/null; fi"
        ).stdout

    def wait_for(self, *needles: str, timeout: float = 10.0) -> str:
        """The new text once it holds every needle; the new text as it is when time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.new()
            if all(n in text for n in needles) or time.monotonic() > deadline:
                return text
            time.sleep(0.2)
