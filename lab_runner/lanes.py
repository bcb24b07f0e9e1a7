"""What a lane's header says about its socket: which process used it, and its two ends.

lanes.user(sock)    # 26: the child that used its end of a socketpair made before fork()
lanes.ends(ex)      # each socket lane gets "local" (":54061", "/tmp/x.sock") and "remote"
lanes.seen_from(ran, ips)   # the sandbox's own address and ports, from its packets alone
"""

from __future__ import annotations

from typing import Any

from lab_runner import capture
from lab_runner.exercise_result import ExerciseResult
from lab_runner.trace import RECV, SEND, Socket

LOOPBACK = ("127.", "0.0.0.0", "::")


def user(sock: Socket) -> int:
    """The process that used SOCK: the one that moved its bytes (lab 7: the child, for its end of
    a socketpair made before fork()), else the one that made it."""
    movers = [c.pid for c in sock.calls if c.name in SEND or c.name in RECV or c.name.startswith("accept")]
    movers = movers or [c.pid for c in sock.calls if c.name not in ("close", "socket", "socketpair")]
    return max(set(movers), key=movers.count) if movers else sock.pid


def ends(ex: Any) -> None:
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
