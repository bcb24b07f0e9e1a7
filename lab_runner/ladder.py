"""The exchange in the terminal: a compact ladder in sngrep's style (lanes as columns, an arrow
per connect, send and recv with its byte count, the servers' lines beside them), and the
command that sends the same bytes again from the workbench, by hand.

     time  pid 16 fd 3     flask
    0.030  |---connect--->|
    0.031  |----23 B----->|   'hello-lab1-...'
    0.032  |              *   code 400, message Bad request syntax ('hello-lab1-...')
"""

from __future__ import annotations

import ast
import shlex

from lab_runner import services

ROWS = 15  # lines of arrows at most
COL = 17  # characters per lane
LANES = 5  # lanes at most (the first ones the exchange uses)
SHOWN = ("connect", "accept", "send", "recv", "log", "error", "fault")
STAMPS = services.STAMPS  # Werkzeug's, rsyslog's: what their lines start with


def _title(lane: dict) -> str:
    if lane["kind"] == "socket":
        return "pid " + lane["id"].replace(":", " fd ")
    return lane["id"]


def _ends(e: dict) -> tuple[str | None, str | None]:
    if e["kind"] in ("recv", "accept"):
        return e.get("from"), e["lane"]
    if e["kind"] in ("send", "connect"):
        return e["lane"], e.get("to")
    return e["lane"], None


def _label(e: dict) -> tuple[str, str]:
    """(what goes on the arrow, what goes beside it)."""
    times = f" x{e['repeat']}" if e.get("repeat") else ""
    if e["kind"] == "send":
        return f"{e['size']} B{times}", f"'{e['bytes'][:40]}{'...' if len(e['bytes']) > 40 else ''}'"
    if e["kind"] == "recv":
        if e.get("eof"):
            return f"0 B{times}", "b'' (the end)"
        return f"{e['size']} B{times}", f"'{e['bytes'][:30]}...'" if len(
            e["bytes"]
        ) > 30 else f"'{e['bytes']}'"
    if e["kind"] == "log":
        text = STAMPS.sub("", e["text"])
        return "", text if len(text) <= 70 else text[:67] + "..."
    if e["kind"] == "error":
        return "", f"{e.get('of')} -> {e.get('errno')}{times}"
    if e["kind"] == "fault":  # strace answered it: nothing crossed to the other end
        return "", f"{e.get('of')} -> {e.get('errno')} (INJECTED: the kernel never saw it){times}"
    return e["kind"], ""


def lines(record: dict) -> list[str]:
    """The ladder, at most ROWS arrows (the first ones, and the last two), or [] for no exchange."""
    events = [e for e in record.get("events", []) if e["kind"] in SHOWN]
    order = [lane["id"] for lane in record.get("lanes", []) if lane["kind"] != "wire"]
    first = list(dict.fromkeys(end for e in events for end in (e["lane"], *_ends(e)) if end in order))
    used = [lane for lane in order if lane in first[:LANES]]  # the first ones used, in their order
    every = len(events)
    events = [e for e in events if all(end is None or end in used for end in _ends(e)) and e["lane"] in used]
    if not events:
        return []
    elsewhere = every - len(events)
    skipped = 0
    if len(events) > ROWS:
        skipped = len(events) - ROWS + 1
        events = events[: ROWS - 3] + [None] + events[-2:]  # type: ignore[list-item]
    lanes = {lane["id"]: lane for lane in record["lanes"]}
    centre = {lane: 8 + i * COL + COL // 2 for i, lane in enumerate(used)}
    width = 8 + len(used) * COL
    out = ["   time " + "".join(_title(lanes[lane])[: COL - 2].center(COL) for lane in used)]
    for e in events:
        row = [" "] * width
        for c in centre.values():
            row[c] = "|"
        if e is None:
            out.append(f"{'...':>7} " + f"({skipped} more)".center(width - 8))
            continue
        row[:7] = f"{e['t']:7.3f}"
        a, b = _ends(e)
        on, beside = _label(e)
        if a in centre and b in centre and a != b:
            x1, x2 = sorted((centre[a], centre[b]))
            row[x1 + 1 : x2] = "-" * (x2 - x1 - 1)
            row[x2 - 1 if centre[b] > centre[a] else x1 + 1] = ">" if centre[b] > centre[a] else "<"
            text = on[: x2 - x1 - 4]
            start = x1 + 1 + (x2 - x1 - 1 - len(text)) // 2
            row[start : start + len(text)] = text
        else:
            row[centre[e["lane"]]] = "*"
            beside = (on + " " + beside).strip()
        out.append("".join(row).rstrip().ljust(width) + "  " + beside)
    if elsewhere:
        out.append(f"{'':>7} (and {elsewhere} more between other lanes: the page shows them all)")
    return out


def _bytes(escaped: str) -> bytes:
    for quote in ("'", '"'):
        try:
            return ast.literal_eval(f"b{quote}{escaped}{quote}")
        except (SyntaxError, ValueError):
            continue
    return escaped.encode("utf-8", "backslashreplace")


def _literal(data: bytes) -> str:
    """DATA as a Python bytes literal in double quotes (the shell's single quotes go around it)."""
    inner = repr(data)[2:-1]
    if repr(data).startswith("b'"):
        inner = inner.replace("\\'", "'").replace('"', '\\"')
    return f'b"{inner}"'


def by_hand(record: dict) -> str | None:
    """A command that sends the same bytes to the same server from the workbench, or None."""
    lanes = {lane["id"]: lane for lane in record.get("lanes", [])}
    for lane in lanes.values():
        sends = [e for e in record["events"] if e["lane"] == lane["id"] and e["kind"] == "send"]
        server = lanes.get(lane.get("peer") or "")
        if lane["kind"] != "socket" or not sends or server is None or server["kind"] != "server":
            continue
        if server.get("path"):
            # One send() per datagram, as the run sent them: joined, two datagrams would be one
            # line in the log, and another result.
            each = "; ".join(f"s.send({_literal(_bytes(e['bytes']))})" for e in sends)
            code = (
                f"import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); "
                f's.connect("{server["path"]}"); {each}'
            )
        elif lane.get("type") == "SOCK_STREAM" and server.get("address"):
            # A stream has no message edges: the bytes in one sendall(). Then shutdown() only if the
            # run did, and reading until b'' (the server's close), the way lab 1 teaches to read.
            data = _literal(b"".join(_bytes(e["bytes"]) for e in sends))
            shut = any(e["lane"] == lane["id"] and e["kind"] == "shutdown" for e in record["events"])
            port = server["address"].rsplit(":", 1)[1]
            code = (
                f'import socket; s = socket.create_connection(("{server["id"]}", {port})); '
                f"s.sendall({data}); "
                + ("s.shutdown(socket.SHUT_WR); " if shut else "")
                + 'print(b"".join(iter(lambda: s.recv(65536), b"")))'
            )
        else:
            continue
        cut = (
            " (the first 256 bytes of each send: the exchange keeps no more)"
            if any(e["cut"] for e in sends)
            else ""
        )
        return f"docker compose exec workbench python3 -c {shlex.quote(code)}{cut}"
    return None
