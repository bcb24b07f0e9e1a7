"""A call that waited is drawn after what woke it.

A recv() returns after the packet that brought its bytes (or its FIN) and after the peer's send()
(or close()) that wrote them; an accept() after the connect() it answers. The exchange is
numbered by time, and the times come from two watchers of one clock: strace's (entry time, plus
-T; strace reads the clock before it decodes the call and after, so the sum can fall short of
the return) and the capture's (when the kernel saw the packet). They disagree by microseconds,
by milliseconds under load: lab 14's server read b'' a microsecond "before" the FIN, lab 7's
parent read "pong" 13 us before its child sent it. Such a call is moved to just after its cause
when the two are within SLACK, never past its own socket's next event; one farther ahead of its
cause is left where its times put it.

    settle(events)   # in place, before the exchange is numbered (exchange.py)

>>> events = [{"t": 1.0, "kind": "recv", "lane": "s", "size": 0, "eof": True},
...           {"t": 1.0, "kind": "packet", "lane": "wire", "to": "s", "flags": "FIN-ACK", "length": 0}]
>>> settle(events); events[0]["t"] > events[1]["t"]
True
"""

from __future__ import annotations

SLACK = 0.02  # seconds: how far apart the watchers may be for a call to be moved (strace lags under load)
NUDGE = 1e-6  # how far after its cause a moved call is put
ENDS = ("close", "shutdown")


def settle(events: list[dict]) -> None:
    """Move each recv and accept to just after what woke it."""
    on: dict[str, list[dict]] = {}
    for e in events:
        on.setdefault(e["lane"], []).append(e)
    for own in on.values():
        own.sort(key=lambda e: e["t"])  # stable: as the trace had them
    packets: dict[str, list[dict]] = {}
    for e in on.get("wire", []):
        packets.setdefault(e.get("to") or "", []).append(e)
    for lane, own in on.items():
        read = 0  # bytes the socket's recv()s returned so far
        for k, e in enumerate(own):
            peer = on.get(e.get("from") or "", [])  # the other end's own events, when it is ours too
            if e["kind"] == "recv":
                woke = _recv_causes(e, read, packets.get(lane, []), peer, lane)
                read += e.get("size") or 0
            elif e["kind"] == "accept":
                woke = [next((c for c in peer if c["kind"] == "connect" and c.get("to") == lane), None)]
            else:
                continue
            latest = max((c["t"] for c in woke if c is not None), default=None)
            later = own[k + 1]["t"] if k + 1 < len(own) else float("inf")
            if latest is not None and 0 <= latest - e["t"] < SLACK and latest + NUDGE < later:
                e["t"] = latest + NUDGE


def _recv_causes(e: dict, read: int, came: list[dict], peer: list[dict], lane: str) -> list[dict | None]:
    """What a recv on LANE needed first: the packet, and the peer's call, that brought its first
    byte (byte READ + 1 of what came to the socket), or for b'' the FIN and the peer's end."""
    if e.get("eof"):
        return [
            next((p for p in came if "FIN" in (p.get("flags") or "").split("-")), None),
            next((c for c in peer if c["kind"] in ENDS), None),
        ]
    sends = [c for c in peer if c["kind"] == "send" and c.get("to") == lane]
    return [_nth(came, "length", read + 1), _nth(sends, "size", read + 1)]


def _nth(carriers: list[dict], size: str, n: int) -> dict | None:
    """The carrier of the Nth byte (one sent twice counts twice: that can only name an earlier
    one, never a move too far)."""
    total = 0
    for c in carriers:
        total += c.get(size) or 0
        if total >= n:
            return c
    return None
