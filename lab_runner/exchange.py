"""The exchange: one record of what a run's program did, what crossed the wire, and what each
server saw, as events on lanes in time order.

    ex = Exchange(result, token, {"flask": "172.20.0.4"})   # its sockets and packets
    ex.add_logs(serverlogs.read(...))                         # the servers' lines, joined
    ex.record()  # {"limit": 256, "lanes": [...], "events": [{"t": 0.0412, "lane": "17:3", ...}]}

Lanes: one per socket of the exercise (process and descriptor, "17:3"), `wire` for the
packets, one per server (flask, chat, rsyslog), and one per other end (a client of the
learner's own server, "127.0.0.1:48712"). Events are joined by addresses: a socket's peer
from connect()/accept()/sendto(), its own port from getsockname()/bind() or from the first
packet it sent; a server's line by the run's token and by the (ip, port) it names.
The text report, the JSON document and the page are views of this one record.
"""

from __future__ import annotations

from lab_runner import capture, causal, lanes, log_links, serverlogs, waits
from lab_runner.escaping import python_bytes
from lab_runner.exercise_result import ExerciseResult
from lab_runner.record_schema import Event, Lane, Record
from lab_runner.strace_text import address
from lab_runner.trace import RECV, SEND, Call, Socket, Trace

LIMIT = 256  # bytes of each send and recv the record keeps (strace shows up to trace.STRING_BYTES)
KINDS = {"socket": "socket", "socketpair": "socket", "connect": "connect", "bind": "bind", "listen": "listen",
         "accept": "accept", "accept4": "accept", "shutdown": "shutdown", "close": "close"}  # fmt: skip
LOCAL = ("127.", "0.0.0.0", "::")
MAX_EVENTS = (1200, 300)  # events kept: the head and the tail (a flood's middle is counted, not kept)
MAX_LANES = 40  # lanes of the exercise's own sockets kept (a run that made 999 is told by the first ones)


class Exchange:
    def __init__(self, ex: ExerciseResult, token: str, ips: dict[str, str]) -> None:
        self.ex, self.token = ex, token
        self.services = {ip: name for name, ip in ips.items()}
        self.trace = ex.calls
        calls = [c for c in self.trace.calls if c.at is not None]
        self.origin = ex.started_at or (calls[0].at if calls else 0.0)
        self.lanes: dict[str, Lane] = {}
        self.events: list[Event] = []
        self.sock_lane: dict[int, str] = {}  # id(Socket) -> its lane
        self.local_port: dict[int, int] = {}  # id(Socket) -> its own port, once known
        self.sockets = [s for s in self.trace.learners() if not _resolver(s)]
        for sock in self.sockets:
            self._socket_lane(sock)
        self.lanes["wire"] = {"id": "wire", "kind": "wire", "label": "wire (packets)"}
        self._calls()
        waits.add(self)
        self._packets()
        lanes.meet(self)
        log_links.join_relays(self)

    # --- lanes --------------------------------------------------------------------------------

    def lane(self, lane_id: str, kind: str, label: str, **more: object) -> str:
        self.lanes.setdefault(lane_id, {"id": lane_id, "kind": kind, "label": label, **more})
        return lane_id

    def _socket_lane(self, sock: Socket) -> None:
        base = f"{sock.pid}:{sock.fd}"
        n = sum(1 for lane in self.lanes.values() if lane.get("base") == base)
        lane_id = base if not n else f"{base}#{n + 1}"
        kind = {"SOCK_STREAM": "stream", "SOCK_DGRAM": "datagram", "SOCK_SEQPACKET": "seqpacket"}
        label = f"fd {sock.fd} · {sock.family.removeprefix('AF_')} {kind.get(sock.type, sock.type)}"
        self.lanes[lane_id] = {
            "id": lane_id, "kind": "socket", "label": label, "base": base, "pid": lanes.user(sock),
            "made_by": sock.pid, "fd": sock.fd, "family": sock.family, "type": sock.type,
        }  # fmt: skip
        self.sock_lane[id(sock)] = lane_id

    def lane_of(self, where: object) -> str | None:
        """The lane of an address: a server's, one of the exercise's own sockets', or another end's."""
        if where is None or where == "":
            return None
        if isinstance(where, str):
            if where in serverlogs.PATHS:
                return self.lane(serverlogs.PATHS[where], "server", serverlogs.PATHS[where], path=where)
            for sock in self.sockets:
                if sock.bound == where:
                    return self.sock_lane[id(sock)]
            return self.lane(where, "peer", where)
        ip, port = where  # type: ignore[misc]
        if ip in self.services:
            name = self.services[ip]
            return self.lane(name, "server", f"{name} ({ip}:{port})", address=f"{ip}:{port}")
        if ip.startswith(LOCAL) or ip in self.own_ips():
            for sock in self.sockets:
                if self.local_port.get(id(sock)) == port and sock.peer is None:
                    return self.sock_lane[id(sock)]  # the exercise's own server
        return self.lane(f"{ip}:{port}", "peer", f"{ip}:{port}")

    def own_ips(self) -> set[str]:
        return {p.src[0] for p in getattr(self, "packets", []) if p.src[0] not in self.services} - {""}

    # --- the exercise's calls ----------------------------------------------------------------------

    def t(self, at: float | None) -> float:
        if at is None:  # a trace without times: keep its order
            return round(self.events[-1]["t"] if self.events else 0.0, 6)
        return round(at - self.origin, 6)

    def _calls(self) -> None:
        owner: dict[int, Socket] = {}
        for sock in self.sockets:
            for call in sock.calls:
                owner.setdefault(id(call), sock)  # accept(): the listening socket's, not the new one's
        conns = {id(s.calls[0]): s for s in self.sockets if s.calls and s.calls[0].name.startswith("accept")}
        for call in self.trace.calls:
            sock = owner.get(id(call))
            if sock is None:
                continue
            self._note_port(sock, call)
            event = self._event(call, sock, conns.get(id(call)))
            if event:
                self.events.append(event)

    def _note_port(self, sock: Socket, call: Call) -> None:
        if call.name in ("getsockname", "bind") and call.ret == 0:
            where = address(call.args)
            if isinstance(where, tuple) and where[1]:
                self.local_port[id(sock)] = where[1]
        if call.name.startswith("accept") and call.ret is not None and call.ret >= 0:
            for s in self.sockets:  # the new connection's own port is the listening one's
                if s.calls and s.calls[0] is call and id(sock) in self.local_port:
                    self.local_port[id(s)] = self.local_port[id(sock)]

    def _event(self, call: Call, sock: Socket, conn: Socket | None) -> Event | None:
        lane = self.sock_lane[id(sock)]
        if call.ret is None:
            return None  # cut short when the process was stopped: it never returned
        ok = call.ret >= 0
        # A recv() or accept() happens when it returns (it waited for its bytes or its client).
        waited = call.name in RECV or call.name.startswith("accept")
        at = call.at + call.took if waited and call.at is not None and call.took else call.at
        event: Event = {"t": self.t(at), "lane": lane, "kind": "send", "call": _short(call)}  # kind: below
        if call.injected:  # strace answered it itself: the kernel never saw it (no packet, no server line)
            peer = address(call.args) if call.name in ("connect", "sendto", "sendmsg") else None
            return {**event, "t": self.t(call.at), "kind": "fault", "errno": call.errno, "of": call.name,
                    "injected": True, "to": self._peer_lane(sock, peer)}  # fmt: skip
        if call.name in SEND or call.name in RECV:
            if not ok:
                return {**event, "kind": "error", "errno": call.errno, "of": call.name}
            data = call.data
            peer = address(call.args) if call.name == "sendto" else None
            other = self._peer_lane(sock, peer)
            sending = call.name in SEND
            event.update(kind="send" if sending else "recv", size=call.ret, bytes=python_bytes(data[:LIMIT]),
                         cut=len(data) < (call.ret or 0))  # fmt: skip
            event["to" if sending else "from"] = other
            if not sending and call.ret == 0:
                event["eof"] = True
            return event
        kind = KINDS.get(call.name)
        if kind is None:
            return None  # setsockopt, getsockname, poll: how, not what
        if call.name == "socketpair" and sock.pair is not None and sock.fd > sock.pair.fd:
            return None  # one event for the pair, on its first socket
        if not ok:
            return {**event, "kind": "error", "errno": call.errno, "of": call.name,
                    "to": self._peer_lane(sock, address(call.args))}  # fmt: skip
        event["kind"] = kind
        if kind in ("bind", "connect") and (where := address(call.args)) not in (None, ""):
            event["address"] = where if isinstance(where, str) else f"{where[0]}:{where[1]}"
        if kind == "connect":
            event["to"] = self._peer_lane(sock, sock.peer)
        elif kind == "accept" and conn is not None:
            event["conn"] = self.sock_lane[id(conn)]
            event["from"] = self.lane_of(conn.peer)
            self.lanes[event["conn"]]["peer"] = event["from"]
        elif kind == "socket" and sock.pair is not None:
            event["pair"] = self.sock_lane[id(sock.pair)]
        return event

    def _peer_lane(self, sock: Socket, where: object = None) -> str | None:
        if sock.pair is not None:
            return self.sock_lane.get(id(sock.pair))
        lane = self.lane_of(where if where not in (None, "") else sock.peer)
        if lane and "peer" not in self.lanes[self.sock_lane[id(sock)]]:
            self.lanes[self.sock_lane[id(sock)]]["peer"] = lane
        return lane

    # --- packets --------------------------------------------------------------------------------

    def _packets(self) -> None:
        self.packets = capture.parse(self.ex.packets)
        claimed: set[tuple] = set()
        first_out = {}  # id(Socket) -> when it first sent to its peer (connect, sendto)
        for sock in self.sockets:
            # an injected call sent nothing: its socket never had a packet to claim
            starts = [
                c.at
                for c in sock.calls
                if c.name in ("connect", "sendto", "sendmsg") and c.at and not c.injected
            ]
            if isinstance(sock.peer, tuple) and starts:
                first_out[id(sock)] = min(starts)
        for p in self.packets:  # a socket that never asked its port: the first packet it sent tells
            for sock in self.sockets:
                waits = id(sock) in first_out and id(sock) not in self.local_port and p.dst == sock.peer
                if waits and p.at >= first_out[id(sock)] - 0.001 and (p.src, p.dst) not in claimed:
                    self.local_port[id(sock)] = p.src[1]
                    claimed.add((p.src, p.dst))
                    break
        flows = {}
        for sock in self.sockets:
            if id(sock) in self.local_port and isinstance(sock.peer, tuple):
                flows[(self.local_port[id(sock)], sock.peer)] = self.sock_lane[id(sock)]
        for p in self.packets:
            src = flows.get((p.src[1], p.dst)) or self.lane_of(p.src)
            dst = flows.get((p.dst[1], p.src)) or self.lane_of(p.dst)
            event = {"t": self.t(p.at), "lane": "wire", "kind": "packet", "from": src, "to": dst,
                     "proto": p.proto, "flags": p.flags, "seq": p.seq, "ack": p.ack, "length": p.length,
                     "src": f"{p.src[0]}:{p.src[1]}", "dst": f"{p.dst[0]}:{p.dst[1]}"}  # fmt: skip
            self.events.append(event)

    def ports_to(self, service: str) -> set[int]:
        """The exercise's own ports of its connections to SERVICE (the ones its log names)."""
        return {
            self.local_port[id(s)] for s in self.sockets
            if id(s) in self.local_port and self.lanes[self.sock_lane[id(s)]].get("peer") == service
        }  # fmt: skip

    # --- the servers' lines ------------------------------------------------------------------------

    def add_logs(self, logs: dict[str, list[str]]) -> None:
        """The servers' lines for this run, each joined to what it answers (lab_runner/log_links.py)."""
        log_links.join_logs(self, logs)

    def record(self) -> Record:
        """The record, as the JSON document holds it (events numbered in time order)."""
        causal.settle(self.events)  # a recv or accept after what woke it, whatever the clocks said
        ordered = _runs(sorted(range(len(self.events)), key=lambda i: self.events[i]["t"]), self.events)
        own = [lane for lane in self.lanes.values() if lane["kind"] == "socket"][MAX_LANES:]
        dropped = {lane["id"] for lane in own}
        kept = [i for i in ordered if not {self.events[i]["lane"], *_ends(self.events[i])} & dropped]
        head, tail = MAX_EVENTS
        left_out = len(ordered) - len(kept[:head]) - len(kept[head:][-tail:])
        ordered = kept[:head] + kept[head:][-tail:]
        number = {i: n for n, i in enumerate(ordered)}
        events = []
        for i in ordered:
            event = {"id": number[i], **self.events[i]}
            if "answers" in event:
                event["answers"] = number.get(event["answers"])
            events.append(event)
        lanes.ends(self)
        order = {"socket": 0, "wire": 1, "server": 2, "peer": 3}
        kept_lanes = [
            {k: v for k, v in lane.items() if k != "base"}
            for lane in sorted(self.lanes.values(), key=lambda lane: order[lane["kind"]])
            if (lane["kind"] != "wire" or self.packets) and lane["id"] not in dropped
        ]
        return {
            "limit": LIMIT, "started": self.origin, "lanes": kept_lanes, "events": events,
            "left_out": left_out,
            "capture": self.ex.capture or ("" if self.packets else _no_packets(self.trace)),
        }  # fmt: skip


def _no_packets(trace: Trace) -> str:
    if trace.injected:  # lab 16's starter: its one connect() was strace's to answer
        return "no IP packets (the calls strace answered itself never reached the kernel)"
    return "no IP packets (Unix sockets have none)"


def _ends(event: Event) -> set:
    return {event.get("from"), event.get("to"), event.get("conn"), event.get("of")} - {None}


def _runs(order: list[int], events: list[Event]) -> list[int]:
    """ORDER with each run of the same call over and over (a server spinning on recv() == b'')
    told once, as its first event with "repeat": how many, and "until": the last one's time."""
    same = ("lane", "kind", "bytes", "size", "errno", "from", "to", "flags", "seq", "ack", "length")
    out: list[int] = []
    for i in order:
        last = events[out[-1]] if out else None
        if last is not None and last["kind"] != "log" and all(last.get(k) == events[i].get(k) for k in same):
            last["repeat"] = last.get("repeat", 1) + 1
            last["until"] = events[i]["t"]
            continue
        out.append(i)
    return out


def _resolver(sock: Socket) -> bool:
    """A socket the C library made to resolve a name, not the learner: netlink (which addresses
    this host has), and a UDP socket only connect()ed to sort the answers (RFC 6724), never used."""
    if sock.family == "AF_NETLINK":
        return True
    used = {c.name for c in sock.calls} - {"socket", "connect", "close", "getsockname"}
    return sock.type == "SOCK_DGRAM" and not used and sock.peer not in (None, "") and not sock.bound


def _short(call: Call) -> str:
    text = str(call)
    return text if len(text) <= 160 else text[:150] + " ... " + text[-8:]
