"""A lab's lossy link (lab.toml's [link], lab 15): what lab.toml says, and what lab-run is told.

    [link]
    port = 9915   # UDP: lab-run's peer on 127.0.0.1:PORT in the sandbox acks "N ..." with "ACK N"
    drop = 30     # percent of the datagrams to and from PORT dropped at random, each way

lab-run sets the drops (nftables' numgen, in the sandbox's own table) and starts the peer before
the exercise starts (images/workbench/lab-run, lossy_link); a kernel that cannot drop packets
at random skips the lab (stack.Skipped).
"""

from __future__ import annotations

NONE = (0, 0)


def parse(link: object, where: str, error: type[Exception]) -> tuple[int, int]:
    """(port, drop) from lab.toml's [link] table (None: no link), or ERROR (labs.LabError: this
    module is below labs.py) saying what is wrong with it, in WHERE."""
    if link is None:
        return NONE
    port, drop = (link.get(k) if isinstance(link, dict) else None for k in ("port", "drop"))
    numbers = all(isinstance(n, int) and not isinstance(n, bool) for n in (port, drop))
    if not numbers or set(link) != {"port", "drop"} or not (0 < port < 65536 and 0 < drop < 100):  # type: ignore[arg-type, operator]
        raise error(f"{where}: [link] takes port = a UDP port and drop = a percent from 1 to 99")
    return port, drop  # type: ignore[return-value]


def header(link: tuple[int, int]) -> dict[str, int] | None:
    """The run header's "link" for lab-run: {"port", "drop"}, or None for no link."""
    port, drop = link
    return {"port": port, "drop": drop} if port else None
