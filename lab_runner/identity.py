"""Who a lab run is to the shared services: its sandbox's IPv4 address, and the uid that follows.

    >>> me = Identity("172.20.0.6")
    >>> me.uid
    2310726

Each run's exercise runs in a sandbox of its own, with an address of its own on the stack's
network, as a uid of its own (images/workbench/lab-run's own_uid computes it inside the sandbox
by uid_of's formula). Flask and chat log the client's address, rsyslog's evidence copies the
sender's uid (SCM_CREDENTIALS): so a server line is a run's because it came from the run's
sandbox, never because it holds the run's token (tokens travel: the chat room relayed them).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

UID_BASE = 1_000_000


def uid_of(ip: str) -> int:
    """The exercise's uid in the sandbox at IP: 1,000,000 + the low 24 bits of the address
    (no two containers on one host share an address, so no two runs share a uid)."""
    return UID_BASE + (int(ipaddress.IPv4Address(ip)) & 0xFFFFFF)


@dataclass(frozen=True)
class Identity:
    """One run's sandbox, as the services see it."""

    ip: str
    """Its IPv4 address on the stack's network: the client address Flask and chat log."""

    @property
    def uid(self) -> int:
        """The uid its exercise runs as: what rsyslog's evidence copies put first on its lines."""
        return uid_of(self.ip)
