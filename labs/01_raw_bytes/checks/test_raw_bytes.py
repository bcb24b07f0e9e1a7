"""Lab 1 checks: the bytes the exercise really sent into the Flask server's socket (its socket
calls, recorded by strace), what came back on the same socket, and what the server logged."""

import re
import shlex

from lab_runner.evidence import ip_of, wait_lines
from lab_runner.judges import judges
from lab_runner.loglines import access, werkzeug
from lab_runner.services import log_of
from lab_runner.trace import SEND

LOG = log_of("flask")  # named in messages
PORT = 5000
# The 400 page (a one-word line is HTTP/0.9 to the server: no status line), or a status line.
ANSWER_400 = re.compile(rb"Error code: 400|^HTTP/\d\.\d 400 ")


def read_sendfiles(calls, workbench):
    """The bytes each sendfile() copied to a socket, read from its file in the sandbox (strace shows
    a sendfile's count, never its bytes). The file is the exercise's, so it could have changed
    since: these bytes are believed only with Flask's log, which every step also checks."""
    for call in calls.named("sendfile"):
        if not call.unseen or call.copied is not None:
            continue
        parts = [p.strip() for p in call.args.split(",")]
        path = call.ends.get(int(parts[1])) if len(parts) > 1 and parts[1].isdigit() else None
        start = re.match(r"\[(\d+)\]", parts[2]) if len(parts) > 2 else None  # "[0] => [17]", or NULL
        data = b""
        if path and path.startswith("/") and start:
            found = workbench.run(f"head -c {int(start.group(1)) + call.unseen} {shlex.quote(path)}")
            data = found.stdout.encode("utf-8", "surrogateescape")[int(start.group(1)) :]
        call.copied = data  # kept on the call: it lives as long as this run's trace


def to_flask(calls, flask, token):
    """The exercise's TCP connections to the Flask server that sent this run's token."""
    where = (ip_of(flask), PORT)
    return [
        s for s in calls.of("AF_INET", "SOCK_STREAM")
        if s.peer == where and token.encode() in sent(s)
    ]  # fmt: skip


def sent(sock):
    """What SOCK sent, sendfile()'s bytes included (read_sendfiles), in order."""
    return b"".join(
        c.copied if c.name == "sendfile" and c.copied is not None else c.data
        for c in sock.calls
        if c.name in SEND and c.ret is not None and c.ret >= 0
    )


def bare(calls, flask, token):
    """Connections that sent the article's bytes: hello-<token>, no line end."""
    return [
        s
        for s in to_flask(calls, flask, token)
        if b"\n" not in sent(s) and f"hello-{token}".encode() in sent(s)
    ]


def line_ended(calls, flask, token):
    """Connections whose bytes end with a line end, and that did not shut down their sending side."""
    return [s for s in to_flask(calls, flask, token) if sent(s).endswith(b"\n") and not s.made("shutdown")]


def seen(calls, flask, token):
    """What each connection with the token sent, and whether it shut down, for a failure message."""
    told = [
        f"{sent(s)!r}" + (" then shutdown()" if s.made("shutdown") else "")
        for s in to_flask(calls, flask, token)
    ]
    return ("connections to flask:5000 with the token sent: " + ", ".join(told)) if told else calls.story()


def request_line(sock):
    """The line the server read from this connection, as Werkzeug shows it (up to \\n, no \\r\\n)."""
    return sent(sock).split(b"\n", 1)[0].decode("iso-8859-1").rstrip("\r\n")


def logged_as_bad(flask, socks, token, every=True, among=None):
    """Which of SOCKS' request lines the server did not log as a bad request (with EVERY, each as
    often as it was sent by any of AMONG, the connections that sent the token: step 1's line
    without its line end logs the same words as step 2's; else once is enough), and this run's
    log lines."""
    among = socks if among is None else among
    # Two lines per bad request: "code 400, message Bad request syntax ('...')" and '"..." 400 -'.
    lines = wait_lines(flask, token, count=2 * (len(among) if every else 1))
    missing = []
    for line in {request_line(s) for s in socks}:
        times = sum(request_line(s) == line for s in among) if every else 1
        said = [werkzeug(got) for got in lines]
        syntax = sum(bool(s) and s[2] == f"code 400, message Bad request syntax ({line!r})" for s in said)
        answered = sum(bool(a) and a.request == line and a.status == 400 for a in map(access, lines))
        if min(syntax, answered) < times:
            missing.append(line)
    return missing if every or len(missing) == len({request_line(s) for s in socks}) else [], lines


def test_the_articles_bytes_went_into_flasks_socket(calls, flask, workbench, token):
    read_sendfiles(calls, workbench)
    assert bare(calls, flask, token), (
        f"no connection to flask:{PORT} sent hello-{token} without a line end; {seen(calls, flask, token)}"
    )


@judges("send", "connect", "error", lines="flask")
def test_flask_logged_them_as_a_bad_request(calls, flask, workbench, token):
    read_sendfiles(calls, workbench)
    socks = bare(calls, flask, token)
    assert socks, (
        "the article's bytes were not sent (the step's first check), so the server could not log them"
    )
    # Step 1 needs one of them logged: a step-2 line that lacks its line end is step 2's mistake.
    missing, lines = logged_as_bad(flask, socks, token, every=False)
    assert not missing, (
        f"the server did not log {missing} as a bad request in {LOG}; "
        f"its lines with the token: {lines or 'none'}"
    )


@judges("send", "shutdown", "close")
def test_a_line_ending_in_a_line_end_went_without_shutdown(calls, flask, workbench, token):
    read_sendfiles(calls, workbench)
    if line_ended(calls, flask, token):
        return
    socks = to_flask(calls, flask, token)
    why = ""
    if len(socks) < 2:
        why = "only one connection sent the token: step 2 is a second connection of its own. "
    elif not sent(socks[-1]).endswith(b"\n"):
        why = (
            f"your last connection sent {sent(socks[-1])!r} with no line end (\\r\\n or \\n) at its end: the"
            " server keeps reading until it has one, so it never answered. "
        )
    elif socks[-1].made("shutdown"):
        why = "your last connection ended its line, then also called shutdown(): this step does without it. "
    raise AssertionError(
        why
        + f"No connection to flask:{PORT} sent the token and a line end without calling shutdown(); "
        + seen(calls, flask, token)
    )


@judges("recv", "close")
def test_the_400_answer_was_read_until_the_server_closed(calls, flask, workbench, token):
    read_sendfiles(calls, workbench)
    socks = line_ended(calls, flask, token)
    assert socks, "no line ending in a line end was sent without shutdown() (this step's first check)"
    told = []
    for s in socks:
        got = b"".join(s.received)
        closed = s.ended  # a read of 0 bytes by any call: recv(), os.read(), recvmsg()...
        if ANSWER_400.search(got) and closed:
            return
        told.append(
            f"received {len(s.received)} time(s), {got[:80]!r}{'...' if len(got) > 80 else ''}, "
            + ("then b'' (the close)" if closed else "never b'' (did not read until the server closed)")
        )
    raise AssertionError(
        "on the connection that sent the line, the 400 answer was not read until the server closed: "
        + "; ".join(told)
    )


@judges("send", "connect", "error", lines="flask")
def test_flask_logged_that_line_as_a_bad_request(calls, flask, workbench, token):
    read_sendfiles(calls, workbench)
    socks = line_ended(calls, flask, token)
    assert socks, "no line ending in a line end was sent without shutdown() (this step's first check)"
    missing, lines = logged_as_bad(flask, socks, token, among=to_flask(calls, flask, token))
    assert not missing, (
        f"the server did not log {missing} as a bad request in {LOG}; "
        f"its lines with the token: {lines or 'none'}"
    )
