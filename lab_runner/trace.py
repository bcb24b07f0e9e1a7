"""The exercise's socket system calls, as strace recorded them in the workbench, made readable.

lab-run traces every exercise in its sandbox (`strace -f -y -e trace=%network,read,write,...`,
the byte-moving and waiting calls kept for socket descriptors only); the lines come back here,
and checks ask questions of them:

    >>> t = Trace.parse(['12 socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 3',
    ...                  '12 connect(3, {sa_family=AF_UNIX, sun_path="/dev/log"}, 11) = 0',
    ...                  '12 sendto(3, "<14>hi", 6, 0, NULL, 0) = 6'])
    >>> [(s.family, s.type, s.peer, s.sent) for s in t.sockets]
    [('AF_UNIX', 'SOCK_DGRAM', '/dev/log', [b'<14>hi'])]

`-y` names each descriptor (`3<socket:[81234]>`, `4</usr/lib/...>`; -yy's `TCP:[a:p->b:q]` too);
those names are taken out of the arguments and kept in `Call.ends`, so the arguments read as plain strace.

The trace is evidence the exercise cannot forge: strace runs as root and the exercise as an
ordinary user, and no descriptor of the trace reaches it (see images/workbench/lab-run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lab_runner.calls import INJECTED, LINE, RECV, SEND, STAMP, STRING_BYTES, TOOK, Call
from lab_runner.strace_text import address, decode, unname

# Labs' checks import these from here: the call names that move bytes, and the reader's words.
__all__ = ["RECV", "SEND", "STRING_BYTES", "Call", "address", "decode", "unname"]


@dataclass
class Socket:
    """One socket's life in the trace: how it was made and what went through it."""

    pid: int
    fd: int
    family: str
    type: str
    """SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (flags like SOCK_CLOEXEC dropped)."""
    calls: list[Call] = field(default_factory=list)
    peer: str | tuple[str, int] | None = None
    """Where connect() (or a sendto() with an address) took it."""
    bound: str | tuple[str, int] | None = None
    pair: Socket | None = None
    """The other end, for a socketpair() (an accepted connection's peer is in .peer)."""

    def sends(self, call: Call) -> bool:
        """Did CALL move bytes out through this socket (a splice into it, too)?"""
        return call.name in SEND or (call.name == "splice" and call.fd != self.fd)

    def receives(self, call: Call) -> bool:
        """Did CALL take bytes in from this socket (a splice out of it, too)?"""
        return call.name in RECV or (call.name == "splice" and call.fd == self.fd)

    @property
    def sent(self) -> list[bytes]:
        return [c.data for c in self.calls if self.sends(c) and c.ret is not None and c.ret >= 0]

    @property
    def received(self) -> list[bytes]:
        return [c.data for c in self.calls if self.receives(c) and c.ret is not None and c.ret >= 0]

    @property
    def unseen(self) -> int:
        """How many bytes it sent that the trace cannot show (sendfile()'s): judge those by what
        the other end heard."""
        return sum(c.unseen for c in self.calls)

    @property
    def ended(self) -> bool:
        """A read of it returned 0 bytes on a stream: the end of the stream, whichever call read it
        (recv, recvmsg, os.read's read, readv...). A datagram of 0 bytes is no end, so only streams."""
        return self.type != "SOCK_DGRAM" and any(c.name in RECV and c.ret == 0 for c in self.calls)

    def made(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def describe(self) -> str:
        where = f" to {self.peer!r}" if self.peer not in (None, "") else ""
        return f"{self.family} {self.type} socket (fd {self.fd}, pid {self.pid}){where}"


class Trace:
    """The calls of one exercise run, and its sockets followed across fork()."""

    def __init__(self, calls: list[Call], exits: dict[int, str] | None = None) -> None:
        self.calls = calls
        self.exits = exits or {}
        """pid -> "exited with 0" / "killed by SIGKILL", for every process that ended."""
        self.sockets: list[Socket] = []
        self._follow()

    @classmethod
    def parse(cls, lines: list[str]) -> Trace:
        calls: list[Call] = []
        exits: dict[int, str] = {}
        pending: dict[str, tuple[str, float | None]] = {}  # pid -> an <unfinished ...> call's first half
        for raw in lines:
            pid, _, rest = raw.strip().partition(" ")
            rest = rest.strip()
            at = None
            if stamp := STAMP.match(rest):
                at, rest = float(stamp.group(1)), rest[stamp.end() :]
            if rest.startswith("+++ "):
                exits[int(pid)] = rest.strip("+ ")
                continue
            if rest.endswith("<unfinished ...>"):
                pending[pid] = (rest.removesuffix("<unfinished ...>").rstrip(), at)
                continue
            if rest.startswith("<... "):
                resumed = re.match(r"<\.\.\. \w+ resumed>\s?(.*)", rest)
                first, at = pending.pop(pid, ("", at))  # a call's time is when it was made
                # "recvfrom(3," or "poll(" (strace keeps "3, " whole)
                rest = first + (" " if first.endswith(",") else "") + (resumed.group(1) if resumed else "")
            took = None
            if timed := TOOK.search(rest):
                took, rest = float(timed.group(1)), rest[: timed.start()]
            rest, ends = unname(rest)
            line = f"{pid} {rest}"
            found = LINE.match(line)
            if found:
                ret = found.group(4)
                calls.append(Call(
                    pid=int(pid), name=found.group(2), args=found.group(3),
                    ret=None if ret == "?" else int(ret, 0), errno=found.group(5), ends=ends,
                    at=at, took=took, injected=bool(INJECTED.fullmatch(line, found.end())),
                ))  # fmt: skip
        return cls(calls, exits)

    def _follow(self) -> None:
        # Who made whom: strace may print a child's first calls before the parent's clone()
        # returns, so a new pid's table comes from its parent whenever it first shows up.
        parent_of = {
            c.ret: (c.pid, "CLONE_FILES" in c.args)
            for c in self.calls
            if c.name in ("clone", "clone3", "fork", "vfork") and c.ret is not None and c.ret > 0
        }
        tables: dict[int, dict[int, Socket]] = {}

        def table_of(pid: int) -> dict[int, Socket]:
            if pid not in tables:
                parent, shared = parent_of.get(pid, (None, False))
                inherited = table_of(parent) if parent is not None and parent != pid else {}
                tables[pid] = inherited if shared else dict(inherited)
            return tables[pid]

        for call in self.calls:
            table = table_of(call.pid)
            ok = call.ret is not None and call.ret >= 0
            if call.name in ("clone", "clone3", "fork", "vfork") and ok and call.ret:
                table_of(call.ret)  # a thread (CLONE_FILES) shares the table, a child gets a copy
                continue
            if call.name == "socket" and ok:
                family, kind = _family_type(call.args)
                sock = Socket(call.pid, call.ret, family, kind, [call])  # type: ignore[arg-type]
                table[call.ret] = sock  # type: ignore[index]
                self.sockets.append(sock)
                continue
            if call.name == "socketpair" and ok:
                family, kind = _family_type(call.args)
                fds = re.search(r"\[(\d+), (\d+)\]", call.args)
                if fds:
                    a = Socket(call.pid, int(fds.group(1)), family, kind, [call], peer="")
                    b = Socket(call.pid, int(fds.group(2)), family, kind, [call], peer="", pair=a)
                    a.pair = b
                    table[a.fd], table[b.fd] = a, b
                    self.sockets += [a, b]
                continue
            sock = table.get(call.fd) if call.fd is not None else None
            if sock is None and call.name == "splice" and (out := _third_fd(call.args)) is not None:
                sock = table.get(out)  # splice(pipe, off, socket, ...): bytes into the socket
            if sock is None:
                continue
            sock.calls.append(call)
            if call.name == "connect":
                sock.peer = address(call.args)
            elif call.name == "bind" and ok:
                sock.bound = address(call.args)
            elif call.name in ("sendto", "sendmsg") and sock.peer is None:  # an address with the data
                sock.peer = address(call.args)
            elif call.name in ("accept", "accept4") and ok:
                conn = Socket(call.pid, call.ret, sock.family, sock.type, [call], peer=address(call.args))  # type: ignore[arg-type]
                table[call.ret] = conn  # type: ignore[index]
                self.sockets.append(conn)
            elif call.name == "close":
                del table[call.fd]  # type: ignore[arg-type]

    # --- questions checks ask --------------------------------------------------------------

    def of(self, family: str | None = None, type: str | None = None) -> list[Socket]:
        """The sockets of a family and/or type, e.g. of("AF_UNIX", "SOCK_DGRAM")."""
        return [s for s in self.sockets if family in (None, s.family) and type in (None, s.type)]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    @property
    def injected(self) -> list[Call]:
        """The calls strace answered itself (a lab's [[faults]]): none of them reached the kernel."""
        return [c for c in self.calls if c.injected]

    @property
    def pids(self) -> list[int]:
        return list(dict.fromkeys(c.pid for c in self.calls))

    @property
    def tasks_started(self) -> int:
        """Processes and threads it started (each clone, clone3, fork or vfork it called)."""
        return sum(c.name in ("clone", "clone3", "fork", "vfork") for c in self.calls)

    def bound(self, ok: bool = True) -> list:
        """The addresses of its bind() calls (those that succeeded; ok=False: every one)."""
        return [address(c.args) for c in self.named("bind") if c.ret == 0 or not ok]

    def learners(self) -> list[Socket]:
        """The exercise's own sockets, not the resolver's (DNS on port 53, nscd) for a host name."""
        return [
            s for s in self.sockets
            if not (isinstance(s.peer, tuple) and s.peer[1] == 53) and s.peer != "/var/run/nscd/socket"
        ]  # fmt: skip

    def story(self) -> str:
        """One line on what the program did with sockets, for the observed side of a failure."""
        told = []
        for s in self.learners():
            if s.pair is not None and s.pair in self.learners() and id(s.pair) < id(s):
                continue
            sent = f", sent {len(s.sent)} message(s)" if s.sent else ""
            got = f", received {len(s.received)}" if s.received else ""
            told.append(s.describe() + sent + got)
        if not told:
            return "your program made no socket"
        return "your program made: " + "; ".join(told)

    def shown(self, limit: int = 14) -> list[str]:
        """The calls a learner wants to see: socket work, not the interpreter's file closes or DNS."""
        lines = []
        multi = len({s.pid for s in self.sockets}) > 1
        theirs = {id(c) for s in self.learners() for c in s.calls}
        for call in self.calls:
            if id(call) not in theirs:  # the interpreter's own file closes, the resolver's DNS
                continue
            text = str(call)
            if len(text) > 110:  # an injected call keeps its whole result: "= -1 ECONNREFUSED (INJECTED)"
                tail = text[text.rfind(") = ") + 2 :] if call.injected else text[-8:]
                text = text[: 108 - len(tail)] + " ... " + tail
            lines.append((f"[pid {call.pid}] " if multi else "") + text)
        if len(lines) > limit:
            lines = [*lines[: limit - 2], f"... {len(lines) - limit + 2} more calls ...", lines[-1]]
        return lines


def _third_fd(args: str) -> int | None:
    """The third argument's descriptor: splice(in, off_in, OUT, ...)."""
    parts = args.split(", ", 3)
    return int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None


def _family_type(args: str) -> tuple[str, str]:
    parts = [p.strip() for p in args.split(",")]
    family = parts[0] if parts else "?"
    kinds = parts[1].split("|") if len(parts) > 1 else ["?"]
    kind = next(
        (k for k in kinds if k in ("SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET", "SOCK_RAW")), kinds[0]
    )
    return family, kind
