"""Which hints a failing step shows: they follow the evidence.

First the first failing check's own hints (lab.toml's [steps.check_hints]), then one for each
error the trace shows on the learner's sockets (ECONNREFUSED, a recv() of 0 bytes, ...), then the
step's own hints, the fallback. The report shows them one at a time, in that order.

>>> t = Trace.parse(["7 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
...                  "7 connect(3, {sa_family=AF_INET, sin_port=htons(81), ...}, 16) = -1 ECONNREFUSED"])
>>> explain(t.sockets)[0][:44]
'connect() = -1 ECONNREFUSED: nothing listens'
"""

from __future__ import annotations

import re
from collections.abc import Collection

from lab_runner.checks import CheckResult
from lab_runner.labs import Lab, Step
from lab_runner.trace import RECV, Socket, Trace, address

ERRORS = {
    "ECONNREFUSED": "nothing listens on that address and port (the port picks the program: is it the"
    " right one, and is the server up?), so the kernel refused the connection at once",
    "EADDRINUSE": "another socket is bound to that address already: an earlier run's server still running,"
    " or its connections in TIME_WAIT (set SO_REUSEADDR before bind())",
    "ENOENT": "no file at that path: a Unix socket is named by a file, and connect() or sendto() needs"
    " the exact path a server bound (is it /dev/log?)",
    "EMSGSIZE": "the datagram is larger than the socket can carry in one piece: send less per datagram",
    "EINPROGRESS": "the socket is non-blocking, so connect() returned at once while the TCP handshake goes"
    " on: wait until the socket is writable (select/poll/selectors), then read SO_ERROR for the outcome",
    "EPIPE": "the other end has closed the connection, so there is no one left to send to: the peer left"
    " (check what recv() said before), or your own shutdown(SHUT_WR) came before this send",
}
EOF_WORDS = re.compile(r"""b''|b""|end of the stream|returns? 0\b""")
EOF_HINT = (
    "returned 0 bytes: that is the end of the stream, the peer closed its side (or shut down its"
    " writing); every recv() after it returns 0 again at once, so stop reading that socket"
)


def explain(sockets: list[Socket], expected: Collection[str] = (), about_eof: bool = True) -> list[str]:
    """One hint per kind of error the calls on SOCKETS show; not for an error the lab makes on
    purpose (EXPECTED, its steps' expected_errors: lab 8's connection refused), and a recv() after the end of
    the stream only ABOUT_EOF (when the failing step speaks of that end: lab 6's server, not its
    client, which fails for other reasons in a program whose server spins)."""
    said: dict[str, str] = {}
    for sock in sockets:
        ended = False  # its recv() returned 0 already: reading it again is the spin of lab 6
        for call in sock.calls:
            if call.injected:  # the lab's own fault (strace answered it): never the learner's mistake
                continue
            if call.errno in ERRORS and call.errno not in said and call.errno not in expected:
                said[call.errno] = f"{call.name}() = -1 {call.errno}: {ERRORS[call.errno]}."
            elif call.name in RECV and call.ret == 0 and call.name != "read":
                if ended and about_eof:
                    said.setdefault("EOF", f"{call.name}() {EOF_HINT}.")
                ended = True
    return list(said.values())


LOOPBACK = ("127.", "::1", "localhost")
# The last line of a Python traceback: "TypeError: a bytes-like object is required, not 'str'".
RAISED = re.compile(r"^([A-Za-z_][\w.]*)(?::\s?(.*))?$")  # the first unindented line after the frames
WHERE = re.compile(r'^  File "([^"]+)", line (\d+)')
CRASHES = {
    "EOFError": "input() found no terminal: under the runner your program has no keyboard to read, so"
    " input() gets EOFError at once. Put what you would type into the program itself (a constant,"
    " or LAB_TOKEN from os.environ)",
    "TypeError": "a socket sends and receives bytes, not str: .encode() a str before send() or sendall(),"
    " .decode() what recv() returns before treating it as text",
}


def crash(output: str) -> str | None:
    """The exception that ended the program, with its line, from the traceback in OUTPUT, e.g.
    "TypeError: a bytes-like object is required, not 'str' (exercise.py, line 12)"; None if none.

    >>> crash('Traceback (most recent call last):\\n  File "ex.py", line 3, in <module>\\nEOFError: EOF')
    'EOFError: EOF (ex.py, line 3)'
    """
    lines = output.splitlines()
    # a line's end: input()'s prompt has no line end, so "your name: Traceback (most recent ..."
    starts = [n for n, line in enumerate(lines) if line.endswith("Traceback (most recent call last):")]
    if not starts:
        return None
    tail = lines[starts[-1] + 1 :]
    raised = next((m for line in tail if not line[:1].isspace() and (m := RAISED.match(line))), None)
    if raised is None:
        return None
    where = [m for line in tail if (m := WHERE.match(line))]
    at = f" ({where[-1].group(1).rsplit('/', 1)[-1]}, line {where[-1].group(2)})" if where else ""
    said = (raised.group(2) or "").strip()
    return f"{raised.group(1)}{': ' + said if said else ''}{at}"


def crashed(output: str) -> list[str]:
    """A hint for a program that crashed: what ended it, and what that error usually means here."""
    ended = crash(output)
    if ended is None:
        return []
    kind = ended.split(":", 1)[0].split(" ", 1)[0].rsplit(".", 1)[-1]
    why = CRASHES.get(kind)
    if kind == "TypeError" and "bytes" not in ended:
        why = None
    said = f"your program crashed with {ended}, so nothing after that line ran"
    return [said + (f": {why}." if why else ".")]


def refused_at_home(sockets: list[Socket], services: list[str], expected: Collection[str] = ()) -> list[str]:
    """A hint for a connect() to localhost that was refused where the program itself listened
    nowhere on that port: inside the sandbox, localhost is the sandbox, not a server of the lab.
    Not where the lab refuses on purpose (ECONNREFUSED in EXPECTED, its steps' expected_errors: lab 8)."""
    if "ECONNREFUSED" in expected:
        return []
    own_ports = {  # the ports it bound, port 0's included (getsockname() tells which it got)
        where[1]
        for s in sockets
        if isinstance(s.bound, tuple)
        for where in [s.bound, *(address(c.args) for c in s.made("getsockname") if c.ret == 0)]
        if isinstance(where, tuple)
    }
    for sock in sockets:
        for call in sock.made("connect"):
            where = address(call.args)
            if (
                call.errno == "ECONNREFUSED"
                and isinstance(where, tuple)
                and where[0].startswith(LOOPBACK)
                and where[1] not in own_ports
            ):
                names = ", ".join(services) or "the lab's servers"
                first = services[0] if services else "flask"
                return [
                    f"connect() to {where[0]}:{where[1]} was refused: inside the sandbox, localhost is the"
                    f" sandbox itself, where nothing listens on port {where[1]}; the lab's servers are other"
                    f" hosts, reached by name: {names} (e.g. connect(('{first}', {where[1]})))."
                ]
    return []


def for_step(lab: Lab, step: Step, results: list[CheckResult], trace: Trace, output: str = "") -> list[str]:
    """The hints for LAB's failing STEP, whose checks came out as RESULTS, for a run that left TRACE
    and printed OUTPUT (a crash's traceback is the first thing to fix)."""
    failed = next((r for r in results if not r.passed), None)
    own = list(step.hints_of(failed.name)) if failed else []
    expected = {errno for s in lab.steps for errno in s.expected_errors}  # lab.toml's, never its wording
    eof = bool(EOF_WORDS.search(" ".join((step.goal, *step.hints, *own))))
    mine = trace.learners()
    found = [*crashed(output), *refused_at_home(mine, list(lab.services), expected), *own]
    return list(dict.fromkeys([*found, *explain(mine, expected, eof), *step.hints]))
