"""Faults a lab injects into the exercise's own calls: lab.toml's [[faults]], checked here and
again by lab-run (images/workbench/lab-run, fault_options), which turns them into strace's
`-e inject=CALL:error=ERRNO:when=WHEN`.

    [[faults]]
    call = "connect"
    error = "ECONNREFUSED"
    when = "1..2"       # strace's when: N, N..M, N+ or N+STEP, counted per thread;
                        # "1..{{refused}}": a learner's own value of lab.toml's [values]

strace answers such a call itself: the kernel never sees it (an injected ECONNREFUSED sends no
SYN), and its line ends "(INJECTED)" (calls.Call.injected).

    >>> parse_faults([{"call": "connect", "error": "ECONNREFUSED", "when": "1..2"}])
    (Fault(call='connect', error='ECONNREFUSED', when='1..2'),)
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace

from lab_runner import values

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


def parse_faults(raw: object, where: str = "lab.toml", keys: Collection[str] = ()) -> tuple[Fault, ...]:
    """[[faults]] as Faults; ValueError saying what is wrong (a lab error). A `when` may name KEYS
    of the lab's [values] ({{refused}}): each learner's run says its own (seen_by)."""
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
        named = set(values.PLACE.findall(when)) if isinstance(when, str) else set()
        if named - set(keys):
            raise ValueError(
                f"{where}: a fault's when names {{{{{sorted(named - set(keys))[0]}}}}}, no key of [values]"
            )
        match = WHEN.fullmatch(values.PLACE.sub("1", when)) if isinstance(when, str) else None
        if not match or (match.group(2) and int(match.group(2)) < int(match.group(1))):
            raise ValueError(f"{where}: a fault's when is N, N..M, N+ or N+STEP (1 to 99999), not {when!r}")
        found.append(Fault(call, error, when))
    return tuple(found)


def seen_by(faults: tuple[Fault, ...], mine: dict[str, values.Value]) -> tuple[Fault, ...]:
    """FAULTS as the learner with values MINE meets them: each {{key}} of a `when` said, then
    checked again (a value past 99999 is no `when`)."""
    if not faults:  # a lab without [[faults]]: its strace is the spare's, as made
        return ()
    said = tuple(replace(f, when=values.render(f.when, mine)) for f in faults)
    return parse_faults([f.header() for f in said], "the learner's faults")
