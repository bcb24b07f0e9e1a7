"""The run's packets, as tcpdump printed them in the sandbox (`-i any -nn -tt`), made readable.

    >>> p = Packet.parse("1796171371.145253 eth0  Out IP 172.20.0.6.33384 > 172.20.0.4.5000: "
    ...                  "Flags [S], seq 2131077678, win 64240, length 0")
    >>> p.flags, p.src, p.dst, p.length
    ('SYN', ('172.20.0.6', 33384), ('172.20.0.4', 5000), 0)

A learner reads flags as words (SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST), and sequence
numbers counted from each side's SYN, as Wireshark shows them (`relative()`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LINE = re.compile(r"^(\d+\.\d+)\s+(\S+)\s+(In|Out|M|B|P)?\s*(IP6?) (\S+)\.(\d+) > (\S+)\.(\d+): (.*)$")
FLAGS = re.compile(r"Flags \[([^\]]*)\]")
SEQ = re.compile(r"\bseq (\d+)(?::(\d+))?")
ACK = re.compile(r"\back (\d+)")
LENGTH = re.compile(r"\blength (\d+)")
WORDS = [("S", "SYN"), ("F", "FIN"), ("P", "PSH"), ("R", "RST"), ("U", "URG")]
WHOLE_WAIT = 10.0  # seconds a check waits for tcpdump's lines to reach the exercise's end


def flag_words(letters: str) -> str:
    """tcpdump's letters as words: 'S.' -> 'SYN-ACK', 'P.' -> 'PSH-ACK', '.' -> 'ACK', 'R' -> 'RST'."""
    if "R" in letters:
        return "RST"  # a reset is a reset, whatever it acknowledges
    words = [word for letter, word in WORDS if letter in letters]
    if "." in letters:
        words.append("ACK")
    return "-".join(words) or letters


@dataclass
class Packet:
    at: float
    """When tcpdump saw it (seconds since the epoch)."""
    iface: str
    """eth0 (the stack's network) or lo (the sandbox's own loopback)."""
    proto: str
    """TCP or UDP."""
    src: tuple[str, int]
    dst: tuple[str, int]
    flags: str
    """SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST ('' for UDP)."""
    seq: int | None
    ack: int | None
    length: int

    @classmethod
    def parse(cls, line: str) -> Packet | None:
        found = LINE.match(line.strip())
        if not found:
            return None
        at, iface, _, _, sip, sport, dip, dport, rest = found.groups()
        flags = FLAGS.search(rest)
        seq, ack, length = SEQ.search(rest), ACK.search(rest), LENGTH.search(rest)
        return cls(
            at=float(at),
            iface=iface,
            proto="TCP" if flags else "UDP",
            src=(sip, int(sport)),
            dst=(dip, int(dport)),
            flags=flag_words(flags.group(1)) if flags else "",
            seq=int(seq.group(1)) if seq else None,
            ack=int(ack.group(1)) if ack else None,
            length=int(length.group(1)) if length else 0,
        )


def parse(lines: list[str]) -> list[Packet]:
    """The packets of tcpdump's LINES, in order, with sequence numbers made relative."""
    return relative([p for p in map(Packet.parse, lines) if p is not None])


def relative(packets: list[Packet]) -> list[Packet]:
    """Sequence and acknowledgement numbers counted from each side's SYN (tcpdump already does
    so after the handshake; the SYN and SYN-ACK it prints in full)."""
    isn: dict[tuple, int] = {}  # (src, dst) -> that side's first sequence number
    for p in packets:
        if p.flags.startswith("SYN") and p.seq is not None:
            isn[(p.src, p.dst)] = p.seq
            p.seq = 0
            if p.ack is not None and (p.dst, p.src) in isn:
                p.ack -= isn[(p.dst, p.src)]
    return packets


def whole(live: Callable[[], Any], within: float | None = None) -> Any:
    """What the run did (LIVE()), once its packets are all in: tcpdump's lines lag behind the
    packets, and a packet missing for that reason (an RST, a SYN) must not pass or fail a check.
    AssertionError when the capture did not run, or has not reached the exercise's end within
    WITHIN s: a check cannot judge on part of the packets."""
    deadline = time.monotonic() + (WHOLE_WAIT if within is None else within)
    while True:
        ran = live()
        assert not ran.capture, f"the run's packets were not captured ({ran.capture}): cannot judge"
        if ran.captured:
            return ran
        assert time.monotonic() < deadline, (
            "the capture had not caught up with the end of the exercise's run: its packets are not"
            " all in, so they cannot be judged"
        )
        time.sleep(0.02)
