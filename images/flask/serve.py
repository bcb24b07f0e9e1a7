"""Run app.py on Werkzeug's development server, logging to stdout and to a file.

Everything the server and the app print (Werkzeug's request lines, `Done !`) goes to the
container's stdout (`docker compose logs flask`) and to LOG_FILE, which checks read.
Requests to /healthz (the container's health check) are served but not logged, so the
log shows only what learners did.

Idle connections cannot take the server away: at most MAX_CONNECTIONS are open at once, one
thread each; when one more arrives, the oldest connection that has not yet sent its request
line and headers is closed to make room (a connection busy with a request is never closed),
and a connection that sends nothing for IDLE_TIMEOUT seconds is closed too.
"""

import contextlib
import logging
import logging.handlers
import os
import re
import socket
import sys
import threading
import time

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

LOG_FILE = os.environ.get("LOG_FILE", "/var/log/flask/flask.log")
PORT = int(os.environ.get("PORT", "5000"))
MAX_CONNECTIONS = int(os.environ.get("MAX_CONNECTIONS", "64"))
IDLE_TIMEOUT = float(os.environ.get("IDLE_TIMEOUT", "10"))
log = logging.getLogger("serve")


class PlainFormatter(logging.Formatter):
    """Werkzeug colours its lines with ANSI codes; logs and checks want the plain text."""

    ANSI = re.compile(r"\x1b\[[0-9;]*m")

    def format(self, record: logging.LogRecord) -> str:
        return self.ANSI.sub("", super().format(record))


class LineLogger:
    """A file-like stdout that sends each complete line to a logger."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.pending = ""

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        for line in lines:
            self.logger.info(line)
        return len(text)

    def flush(self) -> None:
        pass


def setup_logging() -> None:
    os.makedirs(os.path.dirname(LOG_FILE), exist_ok=True)
    handlers = [
        logging.StreamHandler(sys.__stdout__),
        # Bounded: two files of 20 MB at most, however long the stack runs.
        logging.handlers.RotatingFileHandler(LOG_FILE, maxBytes=20_000_000, backupCount=1),
    ]
    for handler in handlers:
        handler.setFormatter(PlainFormatter())
    for name in ("werkzeug", "app.stdout", "serve"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        for handler in handlers:
            logger.addHandler(handler)
    logging.getLogger("werkzeug").addFilter(lambda record: "/healthz" not in record.getMessage())
    sys.stdout = LineLogger(logging.getLogger("app.stdout"))


class Handler(WSGIRequestHandler):
    # A client that sends nothing for this long is dropped (lab 1 closes its side long before).
    timeout = IDLE_TIMEOUT

    def parse_request(self) -> bool:
        ok = super().parse_request()  # the request line and every header are in ...
        # ... or the server closed this idle connection to make room, and what looked like the
        # end of the headers was that: then it is not a request, and nothing is served or logged.
        return self.server.busy(self.connection) and ok


class BoundedServer(ThreadedWSGIServer):
    """Werkzeug's threaded server with at most MAX_CONNECTIONS open; the oldest idle goes first."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.open: dict[socket.socket, bool] = {}  # each connection, oldest first: is it busy?
        self.closed_idle, self.reported = 0, 0.0

    def process_request(self, request: socket.socket, client_address) -> None:
        with self.lock:
            if len(self.open) >= MAX_CONNECTIONS and not self.make_room():
                request.close()  # every open connection is busy with a request: come back later
                return
            self.open[request] = False
        super().process_request(request, client_address)

    def make_room(self) -> bool:
        """Close the oldest connection that has not sent its request yet (under the lock)."""
        oldest = next((conn for conn, busy in self.open.items() if not busy), None)
        if oldest is None:
            return False
        del self.open[oldest]
        with contextlib.suppress(OSError):
            oldest.shutdown(socket.SHUT_RDWR)  # its thread's read returns: the thread ends
        self.closed_idle += 1
        if time.monotonic() - self.reported >= 1:  # one line a second, however many
            log.info(
                "Closed %d idle connections to make room (at most %d open at once)",
                self.closed_idle, MAX_CONNECTIONS,
            )  # fmt: skip
            self.closed_idle, self.reported = 0, time.monotonic()
        return True

    def busy(self, request: socket.socket) -> bool:
        """Mark REQUEST busy; False if it was closed to make room."""
        with self.lock:
            if request in self.open:
                self.open[request] = True
            return request in self.open

    def shutdown_request(self, request: socket.socket) -> None:
        with self.lock:
            self.open.pop(request, None)
        super().shutdown_request(request)


def main() -> None:
    setup_logging()
    from app import app

    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    # What app.run(threaded=True) does, with our server: one thread per connection, bounded.
    server = BoundedServer("0.0.0.0", PORT, app, handler=Handler)
    server.log_startup()
    server.serve_forever()


if __name__ == "__main__":
    main()
