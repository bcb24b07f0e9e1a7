"""The second article's chat server, done right: a line-based TCP chat room.

Like the article's server it binds, listens, accepts and prints
    Accepted connection from: ('172.18.0.5', 40312)
    This is what the client sent: hi
but it serves many clients at once (one asyncio task each), relays every line to the other
clients, and survives what the article's server does not:

- a client that closes: its task ends (the article's loop spins forever on recv() == b"");
- bytes that are not UTF-8: decoded with backslash escapes, e.g. `caf\\xe9`, never a crash;
- a line longer than MAX_LINE bytes: the client is told and dropped;
- a fast sender: after each line it waits until every reader has taken in its relays (below
  HIGH_WATER bytes queued), so the room moves at the pace of its slowest reader, and TCP's
  flow control slows the sender down;
- a client that never reads: the room waits for it at most STALL_SECONDS (or until
  MAX_BACKLOG bytes wait for it), then it is dropped, so memory stays bounded and the others
  go on;
- more than MAX_CLIENTS clients: the newcomer is told the room is full.

Each client is greeted with one line, "welcome: you are ('ip', port), N in the room".
A line ends at "\\n"; what a client sends before closing without a final "\\n" is a line too,
so the article's client (which sends no line ends) is heard when it says bye and closes.

Everything is logged to stdout (`docker compose logs chat`) and to LOG_FILE, which checks read.
"""

import asyncio
import contextlib
import logging
import logging.handlers
import os
import sys
import time

HOST = os.environ.get("HOST", "0.0.0.0")
PORT = int(os.environ.get("PORT", "12345"))
LOG_FILE = os.environ.get("LOG_FILE", "/var/log/chat/chat.log")
HEARTBEAT_FILE = os.environ.get("HEARTBEAT_FILE", "/run/chat/heartbeat")
MAX_LINE = int(os.environ.get("MAX_LINE", str(64 * 1024)))
HIGH_WATER = int(os.environ.get("HIGH_WATER", str(64 * 1024)))
MAX_BACKLOG = int(os.environ.get("MAX_BACKLOG", str(256 * 1024)))
STALL_SECONDS = float(os.environ.get("STALL_SECONDS", "2"))
MAX_CLIENTS = int(os.environ.get("MAX_CLIENTS", "1000"))
HEARTBEAT_SECONDS = 5

log = logging.getLogger("chat")
clients: dict[asyncio.StreamWriter, str] = {}


def peer_name(writer: asyncio.StreamWriter) -> str:
    """The client's address as the article prints it: ('ip', port)."""
    peer = writer.get_extra_info("peername")
    return str(tuple(peer[:2])) if peer else "(unknown)"


def queued(writer: asyncio.StreamWriter) -> int:
    return writer.transport.get_write_buffer_size()


def drop(writer: asyncio.StreamWriter, reason: str) -> None:
    if not writer.is_closing():
        log.info("Dropping %s: %s (%d bytes waiting)", clients.get(writer, "?"), reason, queued(writer))
        writer.transport.abort()


def send(writer: asyncio.StreamWriter, text: str) -> None:
    """Queue text for one client without waiting; drop it if far too much already waits."""
    if writer.is_closing():
        return
    writer.write(text.encode("utf-8", "backslashreplace"))
    if queued(writer) > MAX_BACKLOG:
        drop(writer, "it is not reading")


async def relay(sender: asyncio.StreamWriter, name: str, text: str) -> None:
    """Give the line to every other client, then wait (a bounded time) for slow readers."""
    for other in list(clients):
        if other is not sender:
            send(other, f"{name}: {text}\n")
    slow = {w for w in clients if w is not sender and not w.is_closing() and queued(w) > HIGH_WATER}
    if not slow:
        return
    waits = {asyncio.ensure_future(w.drain()): w for w in slow}
    done, pending = await asyncio.wait(waits, timeout=STALL_SECONDS)
    for task in done:
        task.exception()  # a reader that went away meanwhile: its own task logs it
    for task in pending:
        task.cancel()
        drop(waits[task], f"it did not read for {STALL_SECONDS:g} s")


async def read_line(reader: asyncio.StreamReader) -> bytes | None:
    """One line without its "\\n"; the unterminated rest at EOF; None at EOF with nothing left.

    Raises ValueError when a line exceeds MAX_LINE bytes.
    """
    try:
        line = await reader.readuntil(b"\n")
        return line[:-1]
    except asyncio.IncompleteReadError as eof:
        return eof.partial or None
    except asyncio.LimitOverrunError as err:
        raise ValueError(f"line longer than {MAX_LINE} bytes") from err


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    name = peer_name(writer)
    if len(clients) >= MAX_CLIENTS:
        log.info("Refusing %s: the room is full (%d clients)", name, MAX_CLIENTS)
        writer.write(b"error: the room is full, try again later\n")
        writer.close()
        return
    clients[writer] = name
    writer.transport.set_write_buffer_limits(high=HIGH_WATER)  # drain() waits above this
    log.info("Accepted connection from: %s", name)
    # A greeting, like an SMTP or IRC banner: a client that has read it knows it is in the
    # room and hears every line sent from then on.
    send(writer, f"welcome: you are {name}, {len(clients)} in the room\n")
    try:
        while (line := await read_line(reader)) is not None:
            text = line.rstrip(b"\r").decode("utf-8", "backslashreplace")
            log.info("This is what the client sent: %s", text)
            await relay(writer, name, text)
    except ValueError as err:
        log.info("Dropping %s: %s", name, err)
        send(writer, f"error: {err}; bye\n")
    except (ConnectionError, OSError) as err:
        log.info("Connection from %s broke: %s", name, err.__class__.__name__)
    finally:
        clients.pop(writer, None)
        writer.close()
        log.info("Connection closed: %s", name)


async def heartbeat() -> None:
    """Touch HEARTBEAT_FILE while the event loop runs: the container's health check reads it."""
    os.makedirs(os.path.dirname(HEARTBEAT_FILE), exist_ok=True)
    while True:
        with open(HEARTBEAT_FILE, "w") as f:
            f.write(f"{time.time():.0f} {len(clients)}\n")
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def main() -> None:
    server = await asyncio.start_server(handle, HOST, PORT, limit=MAX_LINE, backlog=1024)
    log.info("Chat server listening on %s:%d", HOST, PORT)
    async with server:
        await asyncio.gather(server.serve_forever(), heartbeat())


def setup_logging() -> None:
    os.makedirs(os.path.dirname(LOG_FILE), exist_ok=True)
    log.setLevel(logging.INFO)
    log.addHandler(logging.StreamHandler(sys.stdout))
    # Bounded: two files of 20 MB at most, however long the stack runs.
    log.addHandler(logging.handlers.RotatingFileHandler(LOG_FILE, maxBytes=20_000_000, backupCount=1))


if __name__ == "__main__":
    setup_logging()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C when run by hand
        asyncio.run(main())
