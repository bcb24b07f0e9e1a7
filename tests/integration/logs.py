"""Read what a container's log file gained since a point in time, so no test passes on old lines."""

from __future__ import annotations

import time

import testinfra


class LogCursor:
    """Remembers a log file's size; `new()` is everything written after that.

    >>> cursor = LogCursor(flask_host, "/var/log/flask/flask.log")   # doctest: +SKIP
    >>> ...send something...
    >>> cursor.wait_for("Bad request syntax")                          # doctest: +SKIP
    """

    def __init__(self, host: testinfra.host.Host, path: str) -> None:
        self.host, self.path = host, path
        self.offset = int(host.run(f"stat -c %s {path} 2>/dev/null || echo 0").stdout.strip() or 0)

    def new(self) -> str:
        return self.host.run(f"tail -c +{self.offset + 1} {self.path}").stdout

    def wait_for(self, *needles: str, timeout: float = 10.0) -> str:
        """The new text once it holds every needle; the new text as it is when time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.new()
            if all(n in text for n in needles) or time.monotonic() > deadline:
                return text
            time.sleep(0.2)
