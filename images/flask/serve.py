"""Run app.py on Werkzeug's development server, logging to stdout and to a file.

Everything the server and the app print (Werkzeug's request lines, `Done !`) goes to the
container's stdout (`docker compose logs flask`) and to LOG_FILE, which checks read.
Requests to /healthz (the container's health check) are served but not logged, so the
log shows only what learners did.

Idle connections cannot take the server away, nor make a new client wait:

- A connection waits in one event loop, with no thread, until its request line and headers
  are in (or it sends a line that is no HTTP request); only then does it get a thread of its
  own, as in Werkzeug's threaded server: at most MAX_CONNECTIONS at once.
- At most MAX_WAITING connections wait at once: one more closes the oldest waiting one (a
  connection busy with a request is never closed). A connection that sends nothing for
  IDLE_TIMEOUT seconds is closed too, and so is one whose request line and headers are not
  all in HEAD_DEADLINE seconds after it was accepted, however it trickles them.
- A head longer than HEAD_LIMIT is answered by the loop (414 for a request line that long,
  431 for headers) and closed: it never gets a thread, as it did when one client held all 64
  threads with 64 KiB heads and then a header line every 3 s (issue 21). In a thread, what is
  read from the connection (a body; a next request, were it kept alive: Werkzeug 2.2 answers
  with Connection: close) must come within HEAD_DEADLINE seconds of the request's start too.
- The threads are shared fairly between clients' addresses (every lab run is a sandbox with
  an address of its own): one address has at most SOURCE_SHARE of the MAX_CONNECTIONS threads
  at once. Its other complete requests wait in the loop, with no thread, and the next free
  thread goes to the address that waited longest (round robin).
- A connection that closes its side before its request line ends (lab 1's `hello`) is
  answered, as Werkzeug answers it. One that closes its side after an HTTP request line but
  before the empty line that ends the headers is closed unanswered and logged (Werkzeug would
  serve what it had; a crowd of half requests that all close at once would then cost a
  request each).
- The listen backlog is BACKLOG (compose.yaml raises net.core.somaxconn to match), and the
  loop accepts whatever is queued each time it wakes, starting no thread for it: a crowd of
  fewer than BACKLOG connections cannot fill the accept queue, so no new client's SYN is
  dropped (a dropped SYN is retried after 1 s), and the queue ahead of it drains in
  milliseconds.

Idle connections kept in threads (as Werkzeug does) cost a thread start per accept, and a
crowd that reopens what is closed kept the 128-deep queue full: a new client's SYN was
dropped now and then (1 in 3 waited 1.05 s in issue 15); with a deeper queue every one waited
behind ~2,000 thread starts (1.1 s median).
"""

import collections
import contextlib
import errno
import io
import logging
import logging.handlers
import os
import re
import selectors
import socket
import sys
import threading
import time

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

LOG_FILE = os.environ.get("LOG_FILE", "/var/log/flask/flask.log")
PORT = int(os.environ.get("PORT", "5000"))
MAX_CONNECTIONS = int(os.environ.get("MAX_CONNECTIONS", "64"))  # threads: requests served at once
MAX_WAITING = int(os.environ.get("MAX_WAITING", "1024"))  # connections whose request is not in yet
IDLE_TIMEOUT = float(os.environ.get("IDLE_TIMEOUT", "10"))
HEAD_DEADLINE = float(os.environ.get("HEAD_DEADLINE", "10"))  # from accept to the end of the headers
SOURCE_SHARE = int(os.environ.get("SOURCE_SHARE", str(MAX_CONNECTIONS // 4)))  # threads per address
BACKLOG = int(os.environ.get("BACKLOG", "4096"))  # listen(); the kernel caps it at net.core.somaxconn
HEAD_LIMIT = 65536  # a request head longer than this is answered by the loop (http.server's limits)
ACCEPTS_PER_TURN = 256  # then the loop reads what the waiting ones sent, and comes back
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


def reads_headers(request_line: bytes) -> bool:
    """Does http.server read headers after this request line, or answer it at once (an error)?

    As BaseHTTPRequestHandler.parse_request: `GET /` (HTTP/0.9) and `GET / HTTP/1.1` read
    headers; lab 1's `hello`, an unknown version or HTTP/2 get their error code at once.
    """
    words = request_line.decode("iso-8859-1").split()  # as it splits them
    if len(words) == 2:
        return words[0] == "GET"
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return False
    try:
        major, minor = words[2][5:].split(".")
        return (int(major), int(minor)) < (2, 0)
    except ValueError:
        return False


def head_too_long(head: bytes) -> tuple[int, str] | None:
    """(status, reason) when HEAD is longer than http.server reads, and still not complete.

    >>> head_too_long(b"GET /" + b"x" * HEAD_LIMIT)
    (414, 'Request-URI Too Long')
    """
    if len(head) <= HEAD_LIMIT:
        return None
    line, newline, rest = head.partition(b"\n")
    if not newline:
        return 414, "Request-URI Too Long"
    if not reads_headers(line) or _headers_end(rest):
        return None  # complete: http.server answers it (an error line, or what it read)
    return 431, "Request Header Fields Too Large"


def _headers_end(rest: bytes) -> bool:
    return rest[:1] == b"\n" or rest[:2] == b"\r\n" or b"\n\n" in rest or b"\n\r\n" in rest


def head_complete(head: bytes) -> bool:
    """Has HEAD all that http.server reads before it answers (or more than it would wait for)?

    >>> head_complete(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n"), head_complete(b"hello\\n")
    (False, True)
    """
    line, newline, rest = head.partition(b"\n")
    if not newline:
        return False  # the request line goes on (over HEAD_LIMIT: head_too_long)
    if not reads_headers(line):
        return True
    return _headers_end(rest)  # the blank line that ends the headers


class HeadFirst(io.RawIOBase):
    """What the event loop already read from a connection, then the rest of it."""

    def __init__(self, head: bytes, rest: io.BufferedReader) -> None:
        super().__init__()
        self.head, self.rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        return self.rest.readinto(buffer)

    def close(self) -> None:
        self.rest.close()
        super().close()


class Deadlined(io.RawIOBase):
    """The connection's bytes, each read bounded by the handler's deadline for its request."""

    def __init__(self, handler: "Handler") -> None:
        super().__init__()
        self.handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.handler.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the request was not in within {HEAD_DEADLINE:g} s")
        self.handler.connection.settimeout(min(IDLE_TIMEOUT, left))
        return self.handler.connection.recv_into(buffer)


class Handler(WSGIRequestHandler):
    # A client that sends nothing for this long is dropped (lab 1 closes its side long before).
    timeout = IDLE_TIMEOUT

    def setup(self) -> None:
        super().setup()
        self.deadline = time.monotonic() + HEAD_DEADLINE
        head = self.server.heads.pop(self.connection, b"")
        self.rfile = io.BufferedReader(HeadFirst(head, Deadlined(self)))

    def handle_one_request(self) -> None:
        # What a request reads in its thread (a body; a kept-alive connection's next head) comes
        # within HEAD_DEADLINE: a client cannot hold the thread by trickling it.
        self.deadline = time.monotonic() + HEAD_DEADLINE
        super().handle_one_request()


class Waiting:
    """A connection in the event loop: who, what it sent so far, and when it last sent."""

    __slots__ = ("accepted", "address", "head", "since")

    def __init__(self, address) -> None:
        self.address, self.head, self.since = address, bytearray(), time.monotonic()
        self.accepted = self.since


class BoundedServer(ThreadedWSGIServer):
    """Werkzeug's threaded server whose connections get a thread once their request is in.

    At most MAX_WAITING wait for that (the oldest goes first) and MAX_CONNECTIONS have a thread,
    SOURCE_SHARE of them at most for one client address.
    """

    request_queue_size = BACKLOG

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.serving: set[socket.socket] = set()  # connections with a thread: busy with a request
        self.heads: dict[socket.socket, bytes] = {}  # what was read for them, for Handler.setup
        self.waiting: dict[socket.socket, Waiting] = {}  # oldest first
        # Requests that are in, waiting for a thread, per client address (the next to get one first).
        self.ready: dict[str, collections.deque[tuple[socket.socket, Waiting]]] = {}
        self.queued = 0  # connections in self.ready
        self.threads: collections.Counter[str] = collections.Counter()  # address -> threads it holds
        self.source_of: dict[socket.socket, str] = {}
        # A thread that ends wakes the loop through this pair, to give its place to a ready request.
        self.wake_loop, self.woken = socket.socketpair()
        self.wake_loop.setblocking(False)
        self.woken.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.unanswered: list[tuple[tuple, str, str, str]] = []  # (address, time, why, line)
        self.closed_idle, self.reported, self.swept = 0, 0.0, 0.0

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self.socket.setblocking(False)
        self.selector.register(self.socket, selectors.EVENT_READ)
        self.selector.register(self.woken, selectors.EVENT_READ)
        try:
            while True:
                for key, _ in self.selector.select(timeout=poll_interval):
                    if key.fileobj is self.socket:
                        self.accept_queued()
                    elif key.fileobj is self.woken:
                        with contextlib.suppress(OSError):
                            self.woken.recv(4096)
                        self.start_ready()
                    else:
                        self.read_some(key.fileobj)
                self.sweep()
        except KeyboardInterrupt:
            pass
        finally:
            self.server_close()

    def accept_queued(self) -> None:
        """Accept what the kernel queued (up to ACCEPTS_PER_TURN): each one waits for its request."""
        for _ in range(ACCEPTS_PER_TURN):
            try:
                conn, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:
                if err.errno not in (errno.EMFILE, errno.ENFILE):
                    continue  # ECONNABORTED: that one is gone
                if not self.waiting:
                    time.sleep(0.01)  # out of descriptors, all of them busy: try again soon
                    return
                self.make_room()
                continue
            if len(self.waiting) + self.queued >= MAX_WAITING:
                self.make_room()
            conn.setblocking(False)
            self.waiting[conn] = Waiting(address)
            self.selector.register(conn, selectors.EVENT_READ)

    def read_some(self, conn: socket.socket) -> None:
        """Read what a waiting connection sent; once its request is in, it gets a thread."""
        waiting = self.waiting.get(conn)
        if waiting is None:
            return  # closed to make room earlier in this turn
        try:
            data = conn.recv(HEAD_LIMIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # reset
            data = None
        if data:
            waiting.head += data
            waiting.since = time.monotonic()
            if too_long := head_too_long(waiting.head):
                self.refuse(conn, waiting, *too_long)
            elif head_complete(waiting.head):
                self.start_serving(conn)
            return
        # It closed its side (b"") or reset (None). With a line that has no end yet, http.server
        # answers it (lab 1's `hello` gets its 400: the article's experiment); with an HTTP
        # request line and headers that never ended, it is closed unanswered; with nothing, or
        # after a reset, there is nothing to serve or log.
        if data is not None and waiting.head and b"\n" not in waiting.head:
            self.start_serving(conn)
            return
        self.stop_waiting(conn)
        conn.close()
        if data is not None and waiting.head:
            line = waiting.head.split(b"\n", 1)[0].rstrip(b"\r").decode("iso-8859-1")
            self.quietly_closed(waiting, "closed its side before the empty line that ends the headers", line)

    def refuse(self, conn: socket.socket, waiting: Waiting, code: int, reason: str) -> None:
        """Answer a head too long for http.server with CODE, here in the loop, and close it."""
        self.stop_waiting(conn)
        body = f"{code} {reason}: the request head is over {HEAD_LIMIT} bytes\n".encode()
        answer = (
            f"HTTP/1.0 {code} {reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        with contextlib.suppress(OSError):
            conn.send(answer)
            conn.shutdown(socket.SHUT_WR)
        conn.close()
        line = waiting.head.split(b"\n", 1)[0][:80].rstrip(b"\r").decode("iso-8859-1")
        self.quietly_closed(waiting, f"code {code}, message {reason}: answered by the loop and closed", line)

    def start_serving(self, conn: socket.socket) -> None:
        """CONN's request is in: it gets a thread as soon as its address has one to spare."""
        waiting = self.stop_waiting(conn)
        self.ready.setdefault(waiting.address[0], collections.deque()).append((conn, waiting))
        self.queued += 1
        self.start_ready()

    def start_ready(self) -> None:
        """Give free threads to ready requests, one address after the other (round robin), each
        address below its SOURCE_SHARE."""
        started = True
        while started and self.ready:
            started = False
            for source in list(self.ready):
                with self.lock:
                    if len(self.serving) >= MAX_CONNECTIONS:
                        return
                    if self.threads[source] >= SOURCE_SHARE:
                        continue
                    queue = self.ready.pop(source)
                    conn, waiting = queue.popleft()
                    if queue:
                        self.ready[source] = queue  # at the back: the other addresses go first
                    self.serving.add(conn)
                    self.threads[source] += 1
                    self.source_of[conn] = source
                self.queued -= 1
                started = True
                self.hand_over(conn, waiting)

    def hand_over(self, conn: socket.socket, waiting: Waiting) -> None:
        conn.setblocking(True)
        self.heads[conn] = bytes(waiting.head)
        try:
            self.process_request(conn, waiting.address)  # a thread: Werkzeug's handler from here
        except Exception:  # no thread to be had: as socketserver does, say so and close it
            self.handle_error(conn, waiting.address)
            self.shutdown_request(conn)

    def stop_waiting(self, conn: socket.socket) -> Waiting:
        self.selector.unregister(conn)
        return self.waiting.pop(conn)

    def make_room(self) -> None:
        """Close the oldest connection still waiting for its request (or, if none, the oldest
        ready one of the address with the most waiting for a thread)."""
        if self.waiting:
            oldest = next(iter(self.waiting))
            self.stop_waiting(oldest)
        else:
            source = max(self.ready, key=lambda ip: len(self.ready[ip]))
            oldest, _ = self.ready[source].popleft()
            if not self.ready[source]:
                del self.ready[source]
            self.queued -= 1
        with contextlib.suppress(OSError):
            oldest.shutdown(socket.SHUT_RDWR)
        oldest.close()
        self.closed_idle += 1
        if time.monotonic() - self.reported >= 1:  # one line a second, however many
            log.info(
                "Closed %d idle connections to make room (at most %d wait for their request at once)",
                self.closed_idle, MAX_WAITING,
            )  # fmt: skip
            self.closed_idle, self.reported = 0, time.monotonic()

    def sweep(self) -> None:
        """Once a second: close the waiting connections that sent nothing for IDLE_TIMEOUT, and
        log the connections closed unanswered since the last sweep."""
        now = time.monotonic()
        if now - self.swept < 1:
            return
        self.swept = now
        for conn in [conn for conn, w in self.waiting.items() if now - w.since > IDLE_TIMEOUT]:
            conn.close()
            self.quietly_closed(self.stop_waiting(conn), "Request timed out: TimeoutError('timed out')")
        late = [conn for conn, w in self.waiting.items() if now - w.accepted > HEAD_DEADLINE]
        for conn in late:
            conn.close()
            why = f"Request timed out: its head was not in {HEAD_DEADLINE:g} s after it was accepted"
            self.quietly_closed(self.stop_waiting(conn), why)
        if len(self.unanswered) <= 10:  # one line each, as Werkzeug's handler writes its errors
            for address, stamp, why, line in self.unanswered:
                what = f"{line!r} {why}" if line else why
                logging.getLogger("werkzeug").error("%s - - [%s] %s", address[0], stamp, what)
        else:  # a crowd: one line for each reason
            for why in dict.fromkeys(why for _, _, why, _ in self.unanswered):
                n = sum(why == w for _, _, w, _ in self.unanswered)
                log.info("%d connections were closed unanswered: %s", n, why)
        self.unanswered.clear()

    def quietly_closed(self, waiting: Waiting, why: str, line: str = "") -> None:
        """Log, at the next sweep, that WAITING was closed unanswered and WHY (after LINE)."""
        self.unanswered.append((waiting.address, time.strftime("%d/%b/%Y %H:%M:%S"), why, line))

    def shutdown_request(self, request: socket.socket) -> None:
        with self.lock:
            self.serving.discard(request)
            if (source := self.source_of.pop(request, None)) is not None:
                self.threads[source] -= 1
                if not self.threads[source]:
                    del self.threads[source]
        self.heads.pop(request, None)
        super().shutdown_request(request)
        with contextlib.suppress(OSError):  # full: the loop is woken already
            self.wake_loop.send(b"x")


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
