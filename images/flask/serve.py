"""Run app.py on Werkzeug's development server, logging to stdout and to a file.

Everything the server and the app print (Werkzeug's request lines, `Done !`) goes to the
container's stdout (`docker compose logs flask`) and to LOG_FILE, which checks read.
Requests to /healthz (the container's health check) are served but not logged, so the
log shows only what learners did.
"""

import logging
import logging.handlers
import os
import re
import sys

from werkzeug.serving import WSGIRequestHandler

LOG_FILE = os.environ.get("LOG_FILE", "/var/log/flask/flask.log")
PORT = int(os.environ.get("PORT", "5000"))


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
    for name in ("werkzeug", "app.stdout"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        for handler in handlers:
            logger.addHandler(handler)
    logging.getLogger("werkzeug").addFilter(lambda record: "/healthz" not in record.getMessage())
    sys.stdout = LineLogger(logging.getLogger("app.stdout"))


class Handler(WSGIRequestHandler):
    # A client that connects and then says nothing is dropped after this many seconds, so idle
    # sockets cannot pile up threads (lab 1 closes its side long before).
    timeout = int(os.environ.get("IDLE_TIMEOUT", "60"))


def main() -> None:
    setup_logging()
    from app import app

    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    # threaded: one thread per connection, so an idle client cannot block the others.
    app.run(host="0.0.0.0", port=PORT, threaded=True, request_handler=Handler)


if __name__ == "__main__":
    main()
