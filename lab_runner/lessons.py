"""Each step's lesson, found in the run's exchange: the events lab.toml's `lesson` names.

A lesson is a list of items in the order they happen, each a kind of event and words that
narrow it down: a service (`connect flask`, `log rsyslog`), an errno (`connect EINPROGRESS`),
a socket option (`getsockopt SO_ERROR`), a TCP flag (`packet SYN`), `several` (`wait several`: a
wait that woke for two descriptors or more), or any other word, which the
event's bytes, line or call must contain (`send \\r\\n\\r\\n`, `recv pong`).

    found = match(lab, record)   # {2: [41, 43, 44]}: step 2's lesson is events 41, 43 and 44

Items are matched in order, each after the one before, on the sockets the step's earlier items
used when they can be. A step that starts sockets of its own (its lesson has a connect, a bind,
a listen or a socket) never takes an earlier step's (lab 1's second step is about its second
connection, not the first one's shutdown); one that starts none goes on with theirs. The
sockets each step used also keep its checks' pins on its own events (judged_events.py).
"""

from __future__ import annotations

import re

from lab_runner.labs import Lab, Step

SERVICES = {"flask", "chat", "rsyslog"}
ERRNO = re.compile(r"^E[A-Z0-9]+$")
FLAGS = {"SYN", "SYN-ACK", "ACK", "PSH", "PSH-ACK", "FIN-ACK", "RST", "FIN"}


# A failed call's event is an "error" of that call: its kind, for a lesson's item.
CALLED = {
    "sendto": "send",
    "sendmsg": "send",
    "sendmmsg": "send",
    "write": "send",
    "writev": "send",
    "recvfrom": "recv",
    "recvmsg": "recv",
    "read": "recv",
    "accept4": "accept",
}


def fits(event: dict, item: str) -> bool:
    """EVENT is of the kind ITEM names, and has every one of its words."""
    kind, *words = item.split()
    got = event["kind"]
    if got == "error" and kind != "error":  # `connect EINPROGRESS`: a connect that returned an errno
        got = CALLED.get(event.get("of", ""), event.get("of", ""))
    if kind == "eof":
        if got != "recv" or not event.get("eof"):
            return False
    elif got != kind:
        return False
    said = " ".join(str(event.get(k) or "") for k in ("bytes", "text", "address", "call"))
    for word in words:
        if word in SERVICES:
            fit = word in (event.get("to"), event.get("from"), event["lane"])
        elif ERRNO.match(word):
            fit = event.get("errno") == word
        elif word.startswith(("SO_", "SOL_")):
            fit = event.get("option") == word
        elif word in FLAGS:
            flags = event.get("flags") or ""  # `packet PSH-ACK` is the whole of it, `packet PSH` one flag
            fit = word == flags or word in flags.split("-")
        elif word == "several":  # `wait several`: one wait that woke for two descriptors or more
            fit = (event.get("ready") or 0) >= 2
        else:
            fit = word in said
        if not fit:
            return False
    return True


ONCE = {"socket", "bind", "listen", "connect", "accept"}  # what starts a socket's story (accept: its new one)


def match(lab: Lab, record: dict) -> dict[int, list[int | None]]:
    """step number -> the id of each of its lesson's events (None: not in this run)."""
    events = record.get("events", [])
    sockets = {lane["id"] for lane in record.get("lanes", []) if lane["kind"] == "socket"}
    claimed: set[str] = set()
    out: dict[int, list[int | None]] = {}
    for n, step in enumerate(lab.steps, 1):
        # A step that starts sockets of its own (a connect, a bind) is about them, never about
        # an earlier step's; one that starts none goes on with an earlier step's sockets.
        own_story = starts_own(step)
        mine: set[str] = set()
        ids: list[int | None] = []
        after = -1
        for item in step.lesson:
            found = [e for e in events if e["id"] > after and fits(e, item)]
            if own_story:
                found = [e for e in found if _about(e, sockets) not in claimed]
            own = [e for e in found if _about(e, sockets) in mine]
            pick = next(iter(own or found), None)
            ids.append(pick["id"] if pick else None)
            if pick:
                after = pick["id"]
                if (lane := _about(pick, sockets)) is not None:
                    mine.add(lane)
        claimed |= mine
        out[n] = ids
    return out


def starts_own(step: Step) -> bool:
    """STEP's lesson starts sockets of its own (a connect, a bind ...)."""
    return any(item.split()[0] in ONCE for item in step.lesson)


def _about(event: dict, sockets: set[str]) -> str | None:
    """The socket an event is on, or about (a server's line about a connection; for accept(),
    the connection it made; for a packet, the socket that sent it or received it), so that a
    step's `packet FIN` is its own connection's, never an earlier step's."""
    if event["kind"] == "accept" and event.get("conn") in sockets:
        return event["conn"]
    if event["kind"] == "packet":  # the socket that sent it, else the one it went to (lab 14's FIN)
        return next((end for end in (event.get("from"), event.get("to")) if end in sockets), None)
    if event["lane"] in sockets:
        return event["lane"]
    about = event.get("of")
    return about if about in sockets else None


def step_lanes(record: dict, found: dict[int, list[int | None]]) -> dict[int, set[str]]:
    """step number -> the socket lanes its lesson's events are on."""
    lane_of = {e["id"]: e["lane"] for e in record.get("events", [])}
    sockets = {lane["id"] for lane in record.get("lanes", []) if lane["kind"] == "socket"}
    return {
        n: {lane_of[i] for i in ids if i is not None and lane_of[i] in sockets} for n, ids in found.items()
    }
