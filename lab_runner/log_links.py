"""The servers' lines of a run, joined to the exchange's events: each line to what it answers.

A server that quotes what it heard (Flask's "Bad request syntax ('...')", chat's "This is
what the client sent: ...", rsyslog's line) is joined to the send it best matches, never
one earlier than the last line's; a line about a connection (chat's "Accepted connection
from: (ip, port)") to the socket with that port. A joined line carries a byte diff of what was
sent against what was heard, with the first difference (the caret).
"""

from __future__ import annotations

import difflib
import re

from lab_runner import serverlogs
from lab_runner.escaping import python_bytes
from lab_runner.record_schema import Building, Event
from lab_runner.services import SERVICES


def first_difference(a: str, b: str) -> int | None:
    """Where A and B first differ (the caret), or None when they are the same."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def join_logs(ex: Building, logs: dict[str, list[str]]) -> None:
    end = max((e["t"] for e in ex.events), default=0.0)
    for service, lines in logs.items():
        if not lines:
            continue  # a server that wrote nothing of this run gets no column (lab 5's rsyslog)
        lane = ex.lane(service, "server", service)
        sends = [
            (i, e) for i, e in enumerate(ex.events) if e.get("kind") == "send" and e.get("to") == service
        ]
        sends.sort(key=lambda ie: ie[1]["t"])
        cursor = 0  # a server's lines come in the order its bytes arrived: never join backwards
        for n, line in enumerate(lines):
            event = {"t": end, "lane": lane, "kind": "log", "text": line}
            if not connection(ex, event, service, line):
                cursor = heard(ex, event, service, line, sends, cursor)
            event["t"] = round(event["t"] + (n + 1) * 1e-6, 6)  # after what it answers, in order
            ex.events.append(event)


def connection(ex: Building, event: Event, service: str, line: str) -> bool:
    """A line about one connection (chat's "Accepted connection from: (ip, port)"): joined by port."""
    conn = serverlogs.connection(line)
    if conn is None:
        return False
    word, (_, port) = conn
    for sock in ex.sockets:
        lane = ex.sock_lane[id(sock)]
        if ex.local_port.get(id(sock)) == port and ex.lanes[lane].get("peer") == service:
            mine = [e for e in ex.events if e["lane"] == lane]
            connects = [e for e in mine if e["kind"] == "connect"]
            if mine:
                pick = (connects or mine)[0] if word == "accepted" else mine[-1]
                event.update(t=pick["t"], of=lane)
                _after_packets(ex, event, lane, word, pick["t"])
    return True


def _after_packets(ex: Building, event: Event, lane: str, word: str, since: float) -> None:
    """Chat's log has no clock: a connection's line is placed by its cause, after the packet
    that let the server see it (the handshake's last, or the FIN of the client's close)."""
    out = [e for e in ex.events if e["kind"] == "packet" and e.get("from") == lane]
    sent = [e for e in out if e["t"] >= since]
    if word == "accepted" and len(sent) >= 2:  # SYN, then the ACK that completes the handshake
        event.update(
            t=max(event["t"], sent[1]["t"]), placed="by cause: after the handshake (no clock in its log)"
        )
        return
    fin = [e for e in out if "FIN" in (e.get("flags") or "")]
    if word != "accepted" and fin:
        event["t"] = max(event["t"], fin[0]["t"])
    ended = "the client's FIN and its last call" if fin else "the client's last call"
    event["placed"] = f"by cause: after {ended} (no clock in its log)"


def heard(ex: Building, event: Event, service: str, line: str, sends: list, cursor: int) -> int:
    """A line quoting what the server heard: joined to the send it best matches, at or after
    CURSOR; the cursor moves past it once the server is done with it."""
    said = serverlogs.heard(line)
    if said is None or cursor >= len(sends):
        return cursor
    heard_text = python_bytes(said.encode("utf-8", "surrogateescape"))
    lines = [_line(e["bytes"], service) for _, e in sends[cursor:]]
    inside = [n for n, sent in enumerate(lines) if sent and sent in heard_text]
    if heard_text in lines:  # heard as sent
        first = last = lines.index(heard_text)
    elif inside:  # several sends heard as one line (no line ends between them): from the first
        first, last = inside[0], max(n for n in inside if n >= inside[0])
    else:
        ratio = [difflib.SequenceMatcher(None, sent, heard_text).ratio() for sent in lines]
        first = last = ratio.index(max(ratio))  # ties: the earliest
    i, best = sends[cursor + first]
    t = _arrived(ex, best["lane"], sends[cursor + last][1]["t"])
    hears = SERVICES[service].hears if service in SERVICES else "datagram"
    if hears == "request line":  # Werkzeug logs once it has read the whole request: place it after that
        t, placed = _request_end(ex, best, t)
        event["placed"] = placed
    else:
        has = SERVICES[service].clock if service in SERVICES else ""
        clock = f"its log has {has}" if has else "its log has no clock"
        event["placed"] = f"by cause: once the bytes it quotes reached the server ({clock})"
    event.update(t=t, of=best["lane"], answers=i)
    sent = lines[first]
    event["diff"] = {"sent": sent, "heard": heard_text, "at": first_difference(sent, heard_text)}
    if service == "rsyslog" and (read := syslog_header(sent)):
        # The header is rsyslog's to read, not a loss: diff what it kept against the message after it.
        header, meaning, body = read
        event["diff"].update(sent=body, at=first_difference(body, heard_text), header=header, read=meaning)
    pick = cursor + last
    # Werkzeug writes a request's error line, then the line that ends it ('"..." 400 -').
    return pick if hears == "request line" and not serverlogs.ends_request(line) else pick + 1


FACILITIES = [
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "security",
    "console",
    "solaris-cron",
    *(f"local{n}" for n in range(8)),
]
SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
PRI = re.compile(r"<(\d{1,3})>")


def syslog_header(sent: str) -> tuple[str, str, str] | None:
    """A datagram's <PRI> header as rsyslog reads it, and the message after it (less the NUL
    SysLogHandler ends it with, which rsyslog drops too), or None when it has none (the
    article's bare stars: rsyslog then takes what it can for a header, and that is a loss).

    >>> syslog_header("<132>lab3: hi\\\\x00")
    ('<132>', 'local0.warning', 'lab3: hi')
    """
    found = PRI.match(sent)
    if not found or int(found.group(1)) >= 8 * len(FACILITIES):
        return None
    pri = int(found.group(1))
    body = sent[found.end() :].removesuffix("\\x00")
    return found.group(0), f"{FACILITIES[pri >> 3]}.{SEVERITIES[pri & 7]}", body


def _arrived(ex: Building, lane: str, sent_at: float) -> float:
    """When bytes LANE sent at SENT_AT reached the wire: the first data packet from it at or
    after then (tcpdump's clock, to the microsecond), else the send itself."""
    carried = [
        e["t"]
        for e in ex.events
        if e["kind"] == "packet" and e["from"] == lane and e["length"] and e["t"] >= sent_at
    ]
    return min(carried, default=sent_at)


# How a request ends, in the escaped bytes: an HTTP request at its empty line, anything else
# (the article's `hello`) at its line end; with neither, at the end of the stream.
HTTP_END = ("\\r\\n\\r\\n", "\\n\\n")
LINE_END = ("\\n",)


def _request_end(ex: Building, first: Event, t: float) -> tuple[float, str]:
    """Flask's line answers a request that began with the send FIRST: when did its last byte
    arrive? Its log's clock has whole seconds, so the line is placed by its cause: after that
    byte (lab 2: not after the request line's piece, 0.3 s before the empty line was sent)."""
    lane = first["lane"]
    mine = sorted((e for e in ex.events if e["lane"] == lane and e["t"] >= first["t"]), key=lambda e: e["t"])
    text = ""
    ends = HTTP_END if " HTTP/" in first["bytes"].split("\\n", 1)[0] else LINE_END
    for e in mine:
        if e["kind"] == "send":
            text += e["bytes"]
            if any(end in text for end in ends):
                at = max(t, _arrived(ex, lane, e["t"]))
                what = "the empty line that ends the request" if ends is HTTP_END else "the line end"
                return at, f"by cause: after {what} reached the server (Flask's log has whole seconds)"
        elif e["kind"] in ("shutdown", "close"):
            fin = [
                p["t"]
                for p in ex.events
                if p["kind"] == "packet"
                and p["from"] == lane
                and "FIN" in (p.get("flags") or "")
                and p["t"] >= e["t"]
            ]
            return max(t, min(fin, default=e["t"])), (
                f"by cause: after the end of the stream ({e['kind']}()) reached the server, as no"
                " line end came (Flask's log has whole seconds)"
            )
    return t, "by cause: after the bytes it quotes reached the server (Flask's log has whole seconds)"


def _line(sent: str, service: str) -> str:
    """What a server quotes of SENT (escaped), as its row of lab_runner/services.py says: a
    line-reading server (chat) the bytes up to the line end; Flask, which logs the request line,
    its first line; a datagram server all of it."""
    hears = SERVICES[service].hears if service in SERVICES else "datagram"
    if hears == "request line":
        return sent.split("\\n", 1)[0].removesuffix("\\r")
    return sent.removesuffix("\\n").removesuffix("\\r") if hears == "line" else sent


def join_relays(ex: Building) -> None:
    """A server of the exercise's own that passes a line on (lab 6's chat room): each send to
    another client, after a recv, that carries what was received, gets a diff of the received
    line against the line passed on, aligned where they match (a prefix, such as the sender's
    address, is the server's to add)."""
    kind_of = {lane_id: lane["kind"] for lane_id, lane in ex.lanes.items()}
    events = sorted(enumerate(ex.events), key=lambda ie: ie[1]["t"])
    for n, (i, got) in enumerate(events):
        if got.get("kind") != "recv" or not got.get("size") or kind_of.get(got.get("from")) != "peer":
            continue
        line = got["bytes"].removesuffix("\\n").removesuffix("\\r")
        for _, out in events[n + 1 :]:
            if out.get("kind") == "recv" and out["lane"] == got["lane"]:
                break  # its next line: what follows is that one's
            if (
                out.get("kind") != "send"
                or out["lane"] == got["lane"]
                or kind_of.get(out.get("to")) != "peer"
            ):
                continue
            passed = out["bytes"].removesuffix("\\n").removesuffix("\\r")
            match = difflib.SequenceMatcher(None, line, passed, autojunk=False).find_longest_match()
            if match.size < min(len(line), 8) or "diff" in out:
                continue
            offset = max(0, match.b - match.a)  # where the received line sits in the one passed on
            at = first_difference(line, passed[offset:])
            out["diff"] = {
                "sent": line,
                "heard": passed,
                "at": None if at is None else offset + at,
                "offset": offset,
                "kind": "relay",
            }
            out.update(answers=i, of=got["lane"])
