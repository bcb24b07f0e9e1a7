"""The shared services, one row each: everything lab_runner knows of a service, in one place
(the way testinfra's BACKENDS names each backend once).

    >>> SERVICES["flask"].log
    '/var/log/flask/flask.log'
    >>> log_of("rsyslog", "priority")
    '/var/log/priority.log'

A new service is a row here (and its wiring in compose.yaml, the one place for ports, images
and volumes): its logs, the copy its checks read instead where there is one, how a line is
told to be a run's (its identity), the stamp its lines start with, what a line says it heard
and how that is joined to a socket, and whether compose publishes it on the host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Service:
    """One shared service, as lab_runner reads it."""

    name: str
    logs: dict[str, str]
    """Its logs by name ("main" first: what wait_lines reads by default), as learners see them."""
    evidence: dict[str, str] = field(default_factory=dict)
    """Log -> the copy the checks read instead, with the sender's uid first on each line (rsyslog)."""
    identity: str = "address"
    """How a run's line is told: "address" (the client's IP where the server puts it, before
    anything the client wrote) or "uid" (the sender's uid, first on the evidence copy's lines)."""
    stamp: str = ""
    """A regex of the prefix each line starts with (client and time): the ladder leaves it out."""
    heard: str = ""
    """A regex whose group 1 is the bytes a line says the server heard (None: it quotes none)."""
    hears: str = "datagram"
    """What of a send one line quotes: "request line" (the first line: Werkzeug logs once it has
    read the whole request), "line" (up to the line end), or "datagram" (all of it)."""
    clock: str = ""
    """What its log's clock can place: "whole seconds", or "" (none: placed by cause)."""
    published: bool = False
    """compose.yaml publishes it on the host (`ports` shows where); the port is compose's alone."""
    sockets: tuple[str, ...] = ()
    """Unix paths where it is reached (rsyslog's /dev/log, and the socket it leads to)."""

    @property
    def log(self) -> str:
        """Its main log: what evidence.wait_lines reads when a check names no other."""
        return self.logs["main"]


SERVICES: dict[str, Service] = {
    "flask": Service(
        "flask",
        logs={"main": "/var/log/flask/flask.log"},
        stamp=r"\S+ - - \[[^\]]+\] ",
        heard=r"Bad request syntax \('(.*)'\)$",  # a line that is not HTTP; an access line by its fields
        hears="request line",
        clock="whole seconds",
        published=True,
    ),
    "chat": Service(
        "chat",
        logs={"main": "/var/log/chat/chat.log"},
        heard=r"This is what the client sent: (.*)$",
        hears="line",
        published=True,
    ),
    "rsyslog": Service(
        "rsyslog",
        logs={"main": "/var/log/syslog", "priority": "/var/log/priority.log"},
        evidence={
            "/var/log/syslog": "/var/log/lab/syslog",
            "/var/log/priority.log": "/var/log/lab/priority.log",
        },
        identity="uid",
        stamp=r"\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ ",  # the traditional format
        heard=r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ (.*)$",
        clock="whole seconds",
        sockets=("/dev/log", "/run/syslog/log"),
    ),
}
# What the servers' lines start with: the ladder shows the rest.
STAMPS = re.compile("^(" + "|".join(s.stamp for s in SERVICES.values() if s.stamp) + ")")
# Where a Unix path leads: the service reached there.
SOCKETS = {path: s.name for s in SERVICES.values() for path in s.sockets}
# Every log's evidence copy, whatever its service.
EVIDENCE = {log: copy for s in SERVICES.values() for log, copy in s.evidence.items()}


def log_of(service: str, which: str = "main") -> str:
    """SERVICE's log WHICH, as learners see it (its checks read its evidence copy, if it has one)."""
    return SERVICES[service].logs[which]


def service_of(log: str) -> Service | None:
    """The service that writes LOG, if any."""
    return next((s for s in SERVICES.values() if log in s.logs.values()), None)
