"""A recv() is drawn after the packet that brought what it returned.

strace's times (when the tracer got round to the call) and the capture's (when the kernel saw
the packet) come from two watchers of one clock, and they can disagree by microseconds, by
milliseconds under load: lab 14's server read the end of the stream, b'', a microsecond "before"
the FIN that ended it. The exchange is numbered by time, so such a recv is moved to just after
that packet, when the two are within SLACK; a recv farther ahead of its packet is left where its
times put it.

    settle(events)   # in place, before the exchange is numbered (exchange.py)

>>> events = [{"t": 1.0, "kind": "recv", "lane": "s", "size": 0, "eof": True},
...           {"t": 1.0, "kind": "packet", "lane": "wire", "to": "s", "flags": "FIN-ACK", "length": 0}]
>>> settle(events); events[0]["t"] > events[1]["t"]
True
"""

from __future__ import annotations

SLACK = 0.02  # seconds: the two watchers' disagreement a recv may be moved by (strace lags under load)
NUDGE = 1e-6  # how far after its packet a moved recv is put


def settle(events: list[dict]) -> None:
    """Move each recv (data, or b'') on a socket to just after the packet that brought it."""
    packets: dict[str, list[dict]] = {}
    for e in events:
        if e["kind"] == "packet" and e.get("to"):
            packets.setdefault(e["to"], []).append(e)
    on: dict[str, list[dict]] = {}
    for e in events:
        if e["lane"] in packets:
            on.setdefault(e["lane"], []).append(e)
    for lane, own in on.items():
        came = sorted(packets[lane], key=lambda p: p["t"])
        own.sort(key=lambda e: e["t"])  # stable: as the trace had them
        read = 0  # bytes the socket's recv()s returned so far
        for k, e in enumerate(own):
            if e["kind"] != "recv":
                continue
            brought = _fin(came) if e.get("eof") else _nth_byte(came, read + 1)
            read += e.get("size") or 0
            later = own[k + 1]["t"] if k + 1 < len(own) else float("inf")  # never past its socket's next call
            if brought is not None and 0 <= brought["t"] - e["t"] < SLACK and brought["t"] + NUDGE < later:
                e["t"] = brought["t"] + NUDGE


def _fin(came: list[dict]) -> dict | None:
    return next((p for p in came if "FIN" in (p.get("flags") or "").split("-")), None)


def _nth_byte(came: list[dict], n: int) -> dict | None:
    """The packet that brought the Nth byte sent to the socket (a packet sent again counts twice,
    which can only name an earlier packet: never a move too far)."""
    total = 0
    for p in came:
        total += p.get("length") or 0
        if total >= n:
            return p
    return None
