"""The exchange record's shape: its lanes and events, as `run --json` prints them under
"exchange" and the page, the ladder and the pins read them. docs/exchange-schema.md says the
same for a reader outside Python; tests/unit/test_record_schema.py holds recorded runs to it.

An event always has "t", "lane" and "kind" (and "id" once recorded); the other keys belong to
some kinds only (the table in KEYS_OF), so they are optional here.
"""

from __future__ import annotations

from typing import Literal, Protocol, TypedDict

from lab_runner.capture import Packet
from lab_runner.trace import Socket, Trace

LaneKind = Literal["socket", "wire", "server", "peer"]
EventKind = Literal[
    "socket", "bind", "listen", "accept", "connect", "send", "recv", "shutdown", "close", "error",
    "wait", "getsockopt", "setsockopt", "fork", "packet", "log", "fault",
]  # fmt: skip


class _LaneRequired(TypedDict):
    id: str
    """Unique in the record: "pid:fd" (and "#2"... for a descriptor used again) for a socket,
    "wire", a service's name, or "ip:port" / a path for another peer."""
    kind: LaneKind
    label: str
    """What the page writes at the top of its column."""


class Lane(_LaneRequired, total=False):
    pid: int
    """socket: the process that used it (the one that made it, or its child that used it)."""
    made_by: int
    fd: int
    family: str
    """socket: AF_INET, AF_UNIX, ..."""
    type: str
    """socket: SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET."""
    peer: str
    """socket: the lane it talks to."""
    local: str
    """socket: its own end, ":54061" or a path."""
    remote: str
    """socket: the other end, "ip:port" or a path."""
    address: str
    """server: "ip:port" where the service was reached."""
    path: str
    """server reached by a Unix socket: the path (/dev/log)."""


class Diff(TypedDict, total=False):
    sent: str
    heard: str
    at: int | None
    """Where the two first differ (None: the same)."""
    offset: int
    kind: str
    header: str
    read: str


class _EventRequired(TypedDict):
    t: float
    """Seconds since the record's "started" (the exercise's first call)."""
    lane: str
    kind: EventKind


# Keys that are Python keywords are said this way: a wait's "for" (what it waited for), and
# "from", the lane an event came from (recv, accept, packet).
_EventFor = TypedDict("_EventFor", {"for": str, "from": str | None}, total=False)


class Event(_EventRequired, _EventFor, total=False):
    id: int
    """Its place in the record, in time order (set when the record is made)."""
    call: str
    """The system call as strace wrote it (at most 160 characters)."""
    to: str | None
    """The lane it went to (send, connect, packet, fork) or the lane an error was about."""
    conn: str
    """accept: the new connection's lane."""
    pair: str
    """socket of a socketpair(): the other end's lane."""
    address: str
    """bind, connect: "ip:port" or a path."""
    size: int
    bytes: str
    """send, recv: the bytes as a Python literal, at most the record's "limit"."""
    cut: bool
    """send, recv: strace showed fewer bytes than moved."""
    eof: bool
    """recv: it returned 0 bytes, the end of the stream."""
    errno: str
    """error, getsockopt, setsockopt, fault: e.g. "ECONNREFUSED"."""
    of: str
    """error: the call that failed; wait: which wait call; log: the lane it is about."""
    repeat: int
    """The same call this many times in a row (a server spinning on recv() == b'')."""
    until: float
    text: str
    """log: the server's line."""
    answers: int | None
    """log: the id of the event it answers."""
    placed: str
    """log: how its time was set when its server keeps no clock."""
    diff: Diff
    proto: str
    """packet: TCP or UDP."""
    flags: str
    seq: int | None
    ack: int | None
    length: int
    src: str
    dst: str
    level: str
    """getsockopt, setsockopt: SOL_SOCKET, ..."""
    option: str
    value: str
    ready: int
    """wait: how many descriptors it returned ready."""
    timed_out: bool
    took: float
    fds: int
    pid: int
    """fork: the parent."""
    child: int
    thread: bool
    injected: bool
    """fault: the call never reached the kernel (strace's --inject)."""


Events = list[Event]


class Record(TypedDict, total=False):
    limit: int
    started: float
    lanes: list[Lane]
    events: Events
    left_out: int
    capture: str
    error: str
    """Set instead of lanes and events when the record could not be made."""


class Building(Protocol):
    """An exchange being built (exchange.Exchange), as the modules that add to it see it
    (log_links, waits, lanes): its lanes and events so far, and what it knows of the sockets."""

    lanes: dict[str, Lane]
    events: list[Event]
    sock_lane: dict[int, str]
    """id(Socket) -> its lane."""
    local_port: dict[int, int]
    """id(Socket) -> its own port, once known."""
    sockets: list[Socket]
    packets: list[Packet]
    services: dict[str, str]
    """ip -> the service's name."""
    trace: Trace

    def t(self, at: float | None) -> float: ...

    def lane(self, lane_id: str, kind: str, label: str, **more: object) -> str: ...
