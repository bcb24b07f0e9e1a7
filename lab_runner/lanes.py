"""What a lane's header says about its socket: which process used it, and its two ends.

lanes.user(sock)    # 26: the child that used its end of a socketpair made before fork()
lanes.ends(ex)      # each socket lane gets "local" (":54061", "/tmp/x.sock") and "remote"
lanes.seen_from(ran, ips)   # the sandbox's own address and ports, from its packets alone
"""

from __future__ import annotations

from lab_runner import capture, causal
from lab_runner.exercise_result import ExerciseResult
from lab_runner.record_schema import Building
from lab_runner.trace import RECV, SEND, Socket

LOOPBACK = ("127.", "0.0.0.0", "::")


def user(sock: Socket) -> int:
    """The process that used SOCK: the one that moved its bytes (lab 7: the child, for its end of
    a socketpair made before fork()), else the one that made it."""
    movers = [c.pid for c in sock.calls if c.name in SEND or c.name in RECV or c.name.startswith("accept")]
    movers = movers or [c.pid for c in sock.calls if c.name not in ("close", "socket", "socketpair")]
    return max(set(movers), key=movers.count) if movers else sock.pid


def meet(ex: Building) -> None:
    """Where the program is its own server (labs 5, 7, 8, 9): a client socket's bytes go to the
    connection accept() made for it, not to the listening socket it connected to. A connection
    is paired with its client by the client's port (TCP), else (a Unix path) with the first
    client that connected to the listener's path before accept() returned."""
    owner = {id(c): s for s in ex.sockets for c in s.calls[1:]}
    paired: dict[str, str] = {}  # client lane -> connection lane, and back
    for conn in ex.sockets:
        first = conn.calls[0] if conn.calls else None
        listener = owner.get(id(first)) if first is not None and first.name.startswith("accept") else None
        if listener is None:
            continue
        done = (first.at or 0.0) + (first.took or 0.0)
        for client in ex.sockets:
            lane = ex.sock_lane[id(client)]
            if client is conn or client is listener or lane in paired:
                continue
            if isinstance(conn.peer, tuple):
                fits = ex.local_port.get(id(client)) == conn.peer[1] and isinstance(client.peer, tuple)
            else:
                asked = [c.at for c in client.calls if c.name == "connect" and c.at is not None]
                # strace's entry time + -T can fall short of the return: within causal.SLACK
                fits = client.peer == listener.bound and bool(asked) and min(asked) <= done + causal.SLACK
            if fits:
                paired[lane] = ex.sock_lane[id(conn)]
                paired[ex.sock_lane[id(conn)]] = lane
                break
    if not paired:
        return
    for e in ex.events:
        other = paired.get(e["lane"])
        if other is None or e["kind"] not in ("send", "recv"):
            if e["kind"] == "accept" and e.get("conn") in paired:
                e["from"] = paired[e["conn"]]
            continue
        end = "to" if e["kind"] == "send" else "from"
        if e.get(end) is None or ex.lanes.get(e[end], {}).get("kind") in ("socket", "peer"):
            e[end] = other
    for lane, other in paired.items():
        ex.lanes[lane]["peer"] = other


def ends(ex: Building) -> None:
    """Each of EX's socket lanes, its local end and its remote end, once known: lab 8's lesson is
    the client's port, which the kernel picked."""
    for sock in ex.sockets:
        lane = ex.lanes[ex.sock_lane[id(sock)]]
        port = ex.local_port.get(id(sock))
        if port:
            lane["local"] = f":{port}"
        elif isinstance(sock.bound, str) and sock.bound:
            lane["local"] = sock.bound
        peer = sock.peer
        if isinstance(peer, tuple):
            ip, where = peer
            name = ex.services.get(ip)
            lane["remote"] = (
                f"{name}:{where}" if name else f":{where}" if ip.startswith(LOOPBACK) else f"{ip}:{where}"
            )
        elif isinstance(peer, str) and peer:
            lane["remote"] = peer
        elif sock.pair is not None:  # a socketpair's end: the other end is its peer
            lane["remote"] = f"fd {sock.pair.fd} (its pair)"


def seen_from(ex: ExerciseResult, ips: dict[str, str]) -> tuple[str, set[int]]:
    """The sandbox's own address and the ports it used towards the services at IPS, as its packets
    tell (what the servers' logs name): enough to find the run's lines before its Exchange is
    built, once, from the run's final result."""
    services = set(ips.values())
    packets = capture.parse(ex.packets)
    own = sorted({p.src[0] for p in packets if p.src[0] not in services} - {""})
    own = [ip for ip in own if not ip.startswith("127.")]
    ports = {p.src[1] for p in packets if p.dst[0] in services and p.src[0] not in services}
    return (own[0] if own else ""), ports
