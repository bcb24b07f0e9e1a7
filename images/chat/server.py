"""The second article's chat server, done right: a line-based TCP chat room.

Like the article's server it binds, listens, accepts and prints
    Accepted connection from: ('172.18.0.5', 40312)
    ('172.18.0.5', 40312) This is what the client sent: hi
but it serves many clients at once and relays every line to the other clients, fairly, and
survives what the article's server does not. The rules (README.md says the same):

- one room per source address: a line is relayed to the other clients connected from the
  same IP address as its sender, and to no one else. Every lab run is a sandbox with an
  address of its own, so a run hears its own clients and never a classmate's line (nor the
  run's token it carries); two clients from one workbench, or from the host through the
  published port (one address too), talk as in the article;
- the sender's (ip, port) comes first on the line "... This is what the client sent: TEXT",
  before anything the client wrote: the lab checks attribute a line to a run by that address
  (lab_runner/loglines.py), and no text can forge it;
- the room's MAX_CLIENTS slots are shared fairly between addresses: when every slot is
  taken, a newcomer from an address that holds fewer connections than the busiest address
  takes the slot of that address's oldest connection (which is told and dropped); a
  newcomer from the busiest address itself is told the room is full. So one address, or a
  few, can fill the room only while nobody else wants in;

- a line ends at "\\n"; what a client sends before closing without a final "\\n" is a line too,
  so the article's client (which sends no line ends) is heard when it says bye and closes.
  Lines a client sent before its connection broke (an RST) are still relayed, those the kernel
  still held unread too;
- bytes that are not UTF-8 are shown with backslash escapes, e.g. `caf\\xe9`, never a crash;
- a line longer than MAX_LINE bytes: the client is told and dropped;
- flood control, as IRC servers do it: each client may send FLOOD_BURST lines at once, then
  FLOOD_RATE lines a second (a line of n KiB counts as n lines). A client over that is slowed:
  the server reads its next line only when it is due, and TCP's flow control holds the
  client back. A client still over its rate after FLOOD_SECONDS is told and dropped;
- fairness: the server handles one line of a client, then lets every other client take its
  turn, and relays a line to RELAY_BATCH clients at a time between turns, so no one line, big
  or sent to many, holds up the room; the line is encoded once for all;
- a client that does not read: what waits for it is kept, up to MAX_BACKLOG bytes. Once
  more than HIGH_WATER bytes have waited for STALL_SECONDS without it reading them down, or
  MAX_BACKLOG is exceeded, it is dropped. No one waits for it;
- at most MAX_CLIENTS clients in all (above).

Each client is greeted with one line, "welcome: you are ('ip', port), N in the room" (N: the
clients in its address's room).
Everything is logged to stdout (`docker compose logs chat`) and to LOG_FILE, which checks read.
"""

from __future__ import annotations

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
FLOOD_BURST = int(os.environ.get("FLOOD_BURST", "200"))
FLOOD_RATE = float(os.environ.get("FLOOD_RATE", "50"))
FLOOD_SECONDS = float(os.environ.get("FLOOD_SECONDS", "5"))
RELAY_BATCH = 50  # recipients written to between two turns of the event loop ...
RELAY_BYTES = 256 * 1024  # ... or fewer, so that a turn copies about this much
READ_AHEAD = MAX_LINE + 64 * 1024  # bytes read from a client before its lines are handled
HEARTBEAT_SECONDS = 5

log = logging.getLogger("chat")
room: dict[Client, None] = {}  # every client, in the order they came (a dict keeps it)
rooms: dict[str, dict[Client, None]] = {}  # source IP -> its clients, in the order they came


class LineTooLong(Exception):
    pass


class Flooding(Exception):
    pass


def cost(line: bytes) -> int:
    """What a line counts for in flood control: 1, or its size in KiB (rounded up)."""
    return max(1, -(-len(line) // 1024))


def unread(transport: asyncio.BaseTransport) -> bytes:
    """What the kernel still holds for us on a connection asyncio gave up on.

    A client that closes with our greeting unread makes its kernel answer our next write with
    an RST; that write fails (EPIPE) and asyncio stops reading at once. Linux keeps the bytes
    that came before the RST readable, so read them: they are the client's last lines."""
    got = bytearray()
    sock = transport.get_extra_info("socket")  # still open: asyncio closes it after us
    with contextlib.suppress(OSError, AttributeError, ValueError):  # BlockingIOError: no more
        while len(got) < READ_AHEAD and (chunk := os.read(sock.fileno(), 65536)):
            got += chunk
    return bytes(got)


class Client(asyncio.Protocol):
    """One connection: bytes in (data_received), lines handled in its own task (serve)."""

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.name = str(tuple(peer[:2])) if peer else "(unknown)"  # ('ip', port), as the article
        self.source = str(peer[0]) if peer else ""  # its room: the clients of the same address
        self.inbox = bytearray()
        self.ended = False  # the client will send no more (EOF, or the connection is gone)
        self.broke: BaseException | None = None
        self.dropped = False
        self.arrived = asyncio.Event()
        self.stall: asyncio.TimerHandle | None = None
        loop = asyncio.get_running_loop()
        self.tokens, self.refilled, self.slowed_since = float(FLOOD_BURST), loop.time(), None
        if len(room) >= MAX_CLIENTS and not make_room_for(self.source):
            log.info("Refusing %s: the room is full (%d clients)", self.name, MAX_CLIENTS)
            transport.write(b"error: the room is full, try again later\n")
            transport.close()
            self.ended = True
            return
        room[self] = None
        mine = rooms.setdefault(self.source, {})
        mine[self] = None
        transport.set_write_buffer_limits(high=HIGH_WATER)  # pause_writing() above this
        log.info("Accepted connection from: %s", self.name)
        # A greeting, like an SMTP or IRC banner: a client that has read it knows it is in the
        # room and hears every line sent from then on.
        self.send(f"welcome: you are {self.name}, {len(mine)} in the room\n".encode())
        self.task = loop.create_task(self.serve())

    # Bytes in: kept until serve() takes the lines; reading pauses when enough waits.

    def data_received(self, data: bytes) -> None:
        self.inbox += data
        if len(self.inbox) > READ_AHEAD:
            self.transport.pause_reading()
        self.arrived.set()

    def eof_received(self) -> bool:
        self.ended = True
        self.arrived.set()
        return True  # keep our side open: its last lines are still to be relayed, then we close

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            self.inbox += unread(self.transport)
        self.ended, self.broke = True, exc
        self.arrived.set()
        leave(self)
        if self.stall:
            self.stall.cancel()

    # Bytes out: queued without waiting; a reader that stays behind is dropped.

    def pause_writing(self) -> None:  # more than HIGH_WATER bytes wait for this client
        self.stall = asyncio.get_running_loop().call_later(
            STALL_SECONDS, self.drop, f"it did not read for {STALL_SECONDS:g} s"
        )

    def resume_writing(self) -> None:  # it read its backlog down
        if self.stall:
            self.stall.cancel()
            self.stall = None

    def send(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        self.transport.write(data)
        if self.transport.get_write_buffer_size() > MAX_BACKLOG:
            self.drop("it is not reading")

    def drop(self, reason: str) -> None:
        if not self.transport.is_closing():
            waiting = self.transport.get_write_buffer_size()
            log.info("Dropping %s: %s (%d bytes waiting)", self.name, reason, waiting)
            self.dropped = True
            leave(self)
            self.transport.abort()

    # The client's task: one line at a time, each paced by flood control, then relayed.

    def next_line(self) -> bytes | None:
        """The next complete line without its "\\n"; at the end, the unterminated rest."""
        end = self.inbox.find(b"\n", 0, MAX_LINE + 1)
        if end < 0 and len(self.inbox) > MAX_LINE:
            raise LineTooLong(f"line longer than {MAX_LINE} bytes")
        if end < 0 and not (self.ended and self.inbox):
            if len(self.inbox) < READ_AHEAD // 2 and not self.ended:
                self.transport.resume_reading()
            return None
        end = len(self.inbox) if end < 0 else end
        line = bytes(self.inbox[:end])
        del self.inbox[: end + 1]
        return line

    async def pace(self, line: bytes) -> None:
        """Flood control: a token bucket of FLOOD_BURST lines, refilled at FLOOD_RATE a second."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        self.tokens = min(FLOOD_BURST, self.tokens + (now - self.refilled) * FLOOD_RATE)
        self.refilled = now
        self.tokens -= cost(line)
        if self.tokens >= 0:
            return
        if self.slowed_since is None:
            self.slowed_since = now
            log.info("Slowing %s: over %g lines a second (flood control)", self.name, FLOOD_RATE)
        due = now - self.tokens / FLOOD_RATE  # when the bucket is back at zero
        if due - self.slowed_since > FLOOD_SECONDS:
            raise Flooding(f"flooding: over {FLOOD_RATE:g} lines a second for {FLOOD_SECONDS:g} s")
        await asyncio.sleep(due - now)

    async def serve(self) -> None:
        try:
            while not self.dropped:
                line = self.next_line()
                if line is None:
                    if self.ended:
                        break
                    self.arrived.clear()
                    await self.arrived.wait()
                    continue
                await self.pace(line)
                text = line.rstrip(b"\r").decode("utf-8", "backslashreplace")
                # The address first, from the server: nothing the client writes comes before it.
                log.info("%s This is what the client sent: %s", self.name, text)
                await relay(self, f"{self.name}: {text}\n".encode())
                if b"\n" not in self.inbox:
                    self.slowed_since = None  # no line of its own waits for its turn: not slowed
                await asyncio.sleep(0)  # one line per turn: the other clients go next
        except (LineTooLong, Flooding) as err:
            log.info("Dropping %s: %s", self.name, err)
            self.send(f"error: {err}; bye\n".encode())
        finally:
            leave(self)
            self.transport.close()  # after what is queued for it has been sent
            if self.broke is not None:
                log.info("Connection from %s broke: %s", self.name, self.broke.__class__.__name__)
            log.info("Connection closed: %s", self.name)


def leave(client: Client) -> None:
    """CLIENT is out of the room (and of its address's room) for good."""
    room.pop(client, None)
    mine = rooms.get(client.source)
    if mine is not None:
        mine.pop(client, None)
        if not mine:
            del rooms[client.source]


def make_room_for(source: str) -> bool:
    """The room is full: free a slot for a newcomer from SOURCE, if that is fair. The busiest
    address gives up its oldest connection, unless SOURCE is (one of) the busiest itself."""
    busiest = max(rooms, key=lambda ip: len(rooms[ip]), default=None)
    if busiest is None or len(rooms.get(source, ())) + 1 >= len(rooms[busiest]):
        return False
    oldest = next(iter(rooms[busiest]))
    oldest.send(b"error: the room is full and your address holds the most places; bye\n")
    oldest.drop(f"the room is full and {busiest} holds the most places ({len(rooms[busiest])})")
    leave(oldest)  # its slot is free now, even if it was already closing
    return True


async def relay(sender: Client, data: bytes) -> None:
    """Give DATA to every other client of the sender's address, a turn's worth at a time
    (RELAY_BATCH clients, or fewer when the line is big: about RELAY_BYTES), yielding to the
    loop between turns."""
    per_turn = max(1, min(RELAY_BATCH, RELAY_BYTES // len(data)))
    others = [c for c in rooms.get(sender.source, ()) if c is not sender]
    for start in range(0, len(others), per_turn):
        if start:
            await asyncio.sleep(0)
        for other in others[start : start + per_turn]:
            other.send(data)


async def heartbeat() -> None:
    """Touch HEARTBEAT_FILE while the event loop runs: the container's health check reads it."""
    os.makedirs(os.path.dirname(HEARTBEAT_FILE), exist_ok=True)
    while True:
        with open(HEARTBEAT_FILE, "w") as f:
            f.write(f"{time.time():.0f} {len(room)}\n")
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def main() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Client, HOST, PORT, backlog=1024)
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
