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

from lab_runner.checks import CheckResult
from lab_runner.labs import Lab, Step
from lab_runner.trace import RECV, Socket, Trace

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


def explain(sockets: list[Socket], expected: str = "", about_eof: bool = True) -> list[str]:
    """One hint per kind of error the calls on SOCKETS show; not for an error the lab's own text
    names (EXPECTED: lab 8 has a connection refused on purpose), and a recv() after the end of
    the stream only ABOUT_EOF (when the failing step speaks of that end: lab 6's server, not its
    client, which fails for other reasons in a program whose server spins)."""
    said: dict[str, str] = {}
    for sock in sockets:
        ended = False  # its recv() returned 0 already: reading it again is the spin of lab 6
        for call in sock.calls:
            if call.errno in ERRORS and call.errno not in said and call.errno not in expected:
                said[call.errno] = f"{call.name}() = -1 {call.errno}: {ERRORS[call.errno]}."
            elif call.name in RECV and call.ret == 0 and call.name != "read":
                if ended and about_eof:
                    said.setdefault("EOF", f"{call.name}() {EOF_HINT}.")
                ended = True
    return list(said.values())


def for_step(lab: Lab, step: Step, results: list[CheckResult], trace: Trace) -> list[str]:
    """The hints for LAB's failing STEP, whose checks came out as RESULTS, for a run that left TRACE."""
    failed = next((r for r in results if not r.passed), None)
    own = list(step.hints_of(failed.name)) if failed else []
    expected = " ".join(text for s in lab.steps for text in (s.goal, *s.hints))
    eof = bool(EOF_WORDS.search(" ".join((step.goal, *step.hints, *own))))
    return list(dict.fromkeys([*own, *explain(trace.learners(), expected, eof), *step.hints]))
