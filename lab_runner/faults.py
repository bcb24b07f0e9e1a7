"""Faults a lab injects into the exercise's own calls: lab.toml's [[faults]], checked here and
again by lab-run (images/workbench/lab-run, fault_options), which turns them into strace's
`-e inject=CALL:error=ERRNO:when=WHEN`.

    [[faults]]
    call = "connect"
    error = "ECONNREFUSED"
    when = "1..2"       # strace's when: N, N..M, N+ or N+STEP, counted per thread

strace answers such a call itself: the kernel never sees it (an injected ECONNREFUSED sends no
SYN), and its line ends "(INJECTED)" (calls.Call.injected).

    >>> parse_faults([{"call": "connect", "error": "ECONNREFUSED", "when": "1..2"}])
    (Fault(call='connect', error='ECONNREFUSED', when='1..2'),)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

# The same allowlists as lab-run's: calls made on sockets alone (strace counts `when` over every
# call of a name in a thread, so a read or write of files would take a fault aimed at a socket).
CALLS = ("connect", "sendto", "sendmsg", "recvfrom", "recvmsg")
ERRNOS = (
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "EPIPE",
    "EINTR",
    "EAGAIN",
)
WHEN = re.compile(r"([1-9][0-9]{0,4})(?:\.\.([1-9][0-9]{0,4})|\+([1-9][0-9]{0,4})?)?")
MAX = 8


@dataclass(frozen=True)
class Fault:
    call: str
    error: str
    when: str = "1"

    def header(self) -> dict:
        return asdict(self)


def parse_faults(raw: object, where: str = "lab.toml") -> tuple[Fault, ...]:
    """[[faults]] as Faults; ValueError saying what is wrong (a lab error)."""
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX or not all(isinstance(f, dict) for f in raw):
        raise ValueError(f"{where}: [[faults]] is 1 to {MAX} tables of call, error and when")
    found: list[Fault] = []
    for fault in raw:
        if stray := sorted(set(fault) - {"call", "error", "when"}):
            raise ValueError(f"{where}: a fault has call, error and when, not {', '.join(stray)}")
        call, error, when = fault.get("call"), fault.get("error"), fault.get("when", "1")
        if call not in CALLS or any(f.call == call for f in found):
            raise ValueError(f"{where}: a fault's call is one of {', '.join(CALLS)}, each once, not {call!r}")
        if error not in ERRNOS:
            raise ValueError(f"{where}: a fault's error is one of {', '.join(ERRNOS)}, not {error!r}")
        match = WHEN.fullmatch(when) if isinstance(when, str) else None
        if not match or (match.group(2) and int(match.group(2)) < int(match.group(1))):
            raise ValueError(f"{where}: a fault's when is N, N..M, N+ or N+STEP (1 to 99999), not {when!r}")
        found.append(Fault(call, error, when))
    return tuple(found)


def of_folder(folder: Path) -> tuple[Fault, ...]:
    """The faults FOLDER/lab.toml declares (none: no lab.toml, or no [[faults]])."""
    try:
        data = tomllib.loads((folder / "lab.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return ()
    return parse_faults(data["faults"], str(folder / "lab.toml")) if "faults" in data else ()
