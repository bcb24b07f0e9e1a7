"""The servers' logs, read as the servers write them, and a run's lines told by who sent them.

    >>> split(b"a\\u2028b\\x1cc\\nnext\\n")      # doctest: +SKIP
    ['a\\u2028b\\x1cc', 'next']
    >>> access('172.20.0.6 - - [05/Dec/2026 09:00:00] "GET / HTTP/1.1" 200 -').status
    200

- A line ends at b"\\n" and nowhere else: str.splitlines() also splits at U+2028, \\x1c-\\x1e
  and others, which a learner's bytes may hold (Flask logs a request line raw, chat keeps
  U+2028, a datagram may hold either): a forged second line could then pass a check.
- Werkzeug's access line is read by its fields (client, time, request line, status, size),
  the last two from the end: a request line may hold `" 200 ` itself.
- A run's lines are those its sandbox's identity (lab_runner/identity.py) is on, in the place
  the server puts it before anything the client wrote: Flask's first field (the client's
  address), chat's (ip, port) in front of its line, and the uid rsyslog's evidence copies put
  first (/var/log/lab/*; the uid is taken off, so the checks see the lines learners see).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lab_runner import services
from lab_runner.identity import Identity

FLASK_LOG = services.log_of("flask")
CHAT_LOG = services.log_of("chat")
# The logs learners read, and the copy with each sender's uid that the checks read instead.
EVIDENCE = services.EVIDENCE

WERKZEUG = re.compile(r"(\S+) - - \[([^\]]*)\] (.*)", re.DOTALL)
ACCESS = re.compile(r'"(.*)" (\d{3}) (\d+|-)', re.DOTALL)
# Chat's lines about one connection: the address comes right after the server's own words.
CHAT_PEER = re.compile(
    r"(?:\('([0-9a-f.:]+)', (\d+)\) This is what the client sent: "
    r"|(?:Accepted connection from|Connection closed|Connection from|Dropping|Refusing|Slowing):? "
    r"\('([0-9a-f.:]+)', (\d+)\))"
)
CHAT_SAID = re.compile(r"\('[0-9a-f.:]+', \d+\) This is what the client sent: (.*)", re.DOTALL)
UID_FIRST = re.compile(r"(\d+) (.*)", re.DOTALL)


def split(data: bytes) -> list[str]:
    """DATA's lines, split at b"\\n" only (a last line without one too), each decoded as UTF-8
    with U+FFFD for bytes that are not (as the checks decode what the exercise sent)."""
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return [line.decode("utf-8", "replace") for line in lines]


@dataclass(frozen=True)
class Access:
    """One of Werkzeug's access lines: `client - - [time] "request line" status size`."""

    client: str
    time: str
    request: str
    """The request line as Werkzeug shows it (it may hold quotes and spaces)."""
    status: int
    size: str
    """The body's size in bytes, or "-"."""


def werkzeug(line: str) -> tuple[str, str, str] | None:
    """(client, time, message) of a line Werkzeug wrote about a client, else None."""
    found = WERKZEUG.fullmatch(line)
    return (found[1], found[2], found[3]) if found else None


def access(line: str) -> Access | None:
    """LINE as Werkzeug's access line, or None when it is not one (an error line, "Done !")."""
    said = werkzeug(line)
    found = ACCESS.fullmatch(said[2]) if said else None
    if not said or not found:
        return None
    return Access(said[0], said[1], found[1], int(found[2]), found[3])


def chat_peer(line: str) -> tuple[str, int] | None:
    """The (ip, port) a chat log line is about, as the server put it; None for its own lines."""
    found = CHAT_PEER.match(line)
    if not found:
        return None
    ip, port = (found[1], found[2]) if found[1] else (found[3], found[4])
    return ip, int(port)


def uid_first(line: str) -> tuple[int, str] | None:
    """(uid, the line as learners see it) of an evidence copy's line, else None."""
    found = UID_FIRST.fullmatch(line)
    return (int(found[1]), found[2]) if found else None


def source(path: str) -> str:
    """The file the lines of log PATH are read from: the evidence copy, where there is one."""
    return EVIDENCE.get(path, path)


def of(path: str, lines: list[str], who: Identity | None) -> list[str]:
    """The lines of log PATH (as read from source(PATH)) that WHO sent, in the shape learners
    see them; every line when WHO is None (the project's own tests of a service)."""
    if path in EVIDENCE:
        read = [found for line in lines if (found := uid_first(line))]
        return [text for uid, text in read if who is None or uid == who.uid]
    if who is None:
        return lines
    service = services.service_of(path)
    if service is None or service.name not in CLIENT_OF:
        raise ValueError(f"no way to tell whose lines {path} holds")
    client = CLIENT_OF[service.name]
    return [line for line in lines if (ip := client(line)) and ip == who.ip]


def _werkzeug_client(line: str) -> str | None:
    return said[0] if (said := werkzeug(line)) else None


def _chat_client(line: str) -> str | None:
    return peer[0] if (peer := chat_peer(line)) else None


# A service told by "address" (lab_runner/services.py): where its lines name the client.
CLIENT_OF = {"flask": _werkzeug_client, "chat": _chat_client}
# ... and a text on every line whose client CLIENT_OF tells is IP (on some others too: of() tells).
MARK_OF = {"flask": "{ip} - - [", "chat": "('{ip}', "}


def mark(path: str, who: Identity) -> str | None:
    """A plain text every line of log PATH that WHO sent holds (a superset: of() keeps WHO's
    own), so that one read of a log gives all of a run's lines; None where no text tells."""
    if path in EVIDENCE:
        return f"{who.uid} "
    service = services.service_of(path)
    if service is None or service.name not in MARK_OF:
        return None
    return MARK_OF[service.name].format(ip=who.ip)


UNSTABLE = 3  # read()'s exit code when the log rotated while it was read: read it again


def read_command(path: str, needles: list[str], before: int = 0, whole: bool = False) -> str:
    """A shell command that prints the lines of log PATH's source with any of NEEDLES, from its
    previous generation (.1) and then the current one, so a rotation between a run's send and
    its check hides nothing. It exits UNSTABLE when the files changed while it read (a rotation
    in between: a line may have been missed). BEFORE: also that many lines before each one,
    numbered as grep -n does ("12:match", "11-context"); WHOLE: the needles are whole lines."""
    import shlex  # only here: the rest of this module is pure text

    f = shlex.quote(source(path))
    files = f"{f}.1 {f}"
    patterns = (" -x" if whole else "") + "".join(f" -e {shlex.quote(n)}" for n in needles)
    if before:  # numbered across both files, as one: through cat
        grep = f"cat {files} 2>/dev/null | grep -aF -n -B{before}{patterns}"
    else:  # -h: no file names; -s: a missing .1 is no error (grep reads both, in order)
        grep = f"grep -ahsF{patterns} {files}"
    return (
        f"a=$(stat -c %i {files} 2>/dev/null); {grep};"
        f' b=$(stat -c %i {files} 2>/dev/null); [ "$a" = "$b" ] || exit {UNSTABLE}'
    )


def chat_sent(line: str) -> tuple[tuple[str, int], str] | None:
    """((ip, port), text) of chat's "(ip, port) This is what the client sent: TEXT" line, else None."""
    peer = chat_peer(line)
    said = CHAT_SAID.match(line)
    return (peer, said[1]) if peer and said else None
