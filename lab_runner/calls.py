"""One system call as strace wrote it, read: who made it, on what, with which bytes, and what
it returned (lab_runner/trace.py follows the sockets across them).

    >>> c = Call(7, "sendto", '3, "<14>hi", 6, 0, NULL, 0', 6)
    >>> c.fd, c.data
    (3, b'<14>hi')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lab_runner.strace_text import STRING, decode

LINE = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+|\?|0x[0-9a-f]+)(?:\s+(E[A-Z0-9]+))?")
# Every call lab-run traces that moves bytes on a socket (its MOVERS and %network): the first
# argument is the socket, but for splice(in, off, out, ...), whose socket may be either.
POSITIONED = (
    {"pwrite64", "pwritev", "pwritev2"},
    {"pread64", "preadv", "preadv2"},
)  # with an offset (-1 on sockets)
SEND = {"sendto", "sendmsg", "sendmmsg", "write", "writev", "send", "sendfile"} | POSITIONED[0]
RECV = {"recvfrom", "recvmsg", "recvmmsg", "read", "readv", "recv"} | POSITIONED[1]
VECTORED = {
    "sendmsg",
    "sendmmsg",
    "recvmsg",
    "recvmmsg",
    "writev",
    "readv",
    "pwritev",
    "pwritev2",
    "preadv",
    "preadv2",
}
STRING_BYTES = 4096  # strace -s in lab-run: the bytes of a buffer shown; past them a call's .cut
IOV = re.compile(r'iov_base="((?:[^"\\]|\\.)*)"')
# What strace puts after a result it made itself (-e inject): "= -1 ECONNREFUSED (Connection
# refused) (INJECTED)", or "= 5 (INJECTED)". Read only where strace writes it, after the result
# (LINE's greedy arguments end at the last ") = "): a buffer's "(INJECTED)" is inside the arguments.
INJECTED = re.compile(r"(?:\s+\([^()\"]*\))?\s+\(INJECTED\)\s*")
STAMP = re.compile(r"(\d+\.\d+)\s+")  # strace -ttt's time, when the line has one
TOOK = re.compile(r"\s<(\d+\.\d+)>$")  # and -T's, how long the call took


@dataclass(eq=False)  # two identical lines are still two calls
class Call:
    """One system call: who made it, with what, and what it returned."""

    pid: int
    name: str
    args: str
    """The arguments as strace wrote them."""
    ret: int | None
    errno: str | None = None
    """E.g. ECONNREFUSED when the call failed."""
    ends: dict[int, str] = field(default_factory=dict)
    """strace -y's name of each descriptor in the call, e.g. {3: 'socket:[81234]'}."""
    at: float | None = None
    """When it was made (strace -ttt: seconds since the epoch), if the line says."""
    took: float | None = None
    """How long it took (strace -T: a recv() waits for its bytes), if the line says."""
    injected: bool = False
    """strace answered it itself (a lab's [[faults]]): the kernel never saw this call."""
    copied: bytes | None = None
    """The bytes a check read for it elsewhere, where strace shows only a count (lab 1 reads a
    sendfile()'s from its file): kept on the call, so they live as long as the run's trace."""

    @property
    def fd(self) -> int | None:
        """The file descriptor a call works on (its first argument), if it has one."""
        found = re.match(r"(\d+)", self.args)
        return int(found.group(1)) if found else None

    @property
    def data(self) -> bytes:
        """The bytes a send or receive carried (strace shows at most STRING_BYTES): the buffer,
        or the iov_base of each vector, never an address (sun_path) that came with it."""
        if self.name in VECTORED:
            return b"".join(decode(m.group(1)) for m in IOV.finditer(self.args))
        found = STRING.search(self.args)
        if found is None or self.args[: found.start()].rstrip().endswith("sun_path="):
            return b""
        return decode(found.group(1))

    @property
    def unseen(self) -> int:
        """Bytes the call moved that strace does not show: sendfile() copies from a file to the
        socket inside the kernel, so its line has the count, never the bytes (.data is b"")."""
        return self.ret if self.name == "sendfile" and self.ret and self.ret > 0 else 0

    @property
    def cut(self) -> bool:
        """strace kept only the first bytes (STRING_BYTES, shown "..."...): .data is what moved, cut short."""
        if self.name in VECTORED:
            return any(self.args.startswith("...", m.end()) for m in IOV.finditer(self.args))
        found = STRING.search(self.args)
        return bool(found and found.group(2))

    def __str__(self) -> str:
        result = "?" if self.ret is None else str(self.ret)
        return (
            f"{self.name}({self.args}) = {result}"
            + (f" {self.errno}" if self.errno else "")
            + (" (INJECTED)" if self.injected else "")
        )
