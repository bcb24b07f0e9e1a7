"""Lab 2 checks: the requests the exercise really wrote into the Flask server's socket (its socket
calls, recorded by strace), the answers it really read from it, and what the server logged."""

import re
from urllib.parse import unquote

from lab_runner.evidence import before, ip_of, wait_lines
from lab_runner.judges import judges
from lab_runner.loglines import access
from lab_runner.services import log_of
from lab_runner.trace import STRING_BYTES

LOG = log_of("flask")  # named in messages
PORT = 5000
REQUEST_LINE = re.compile(rb"(?m)^([A-Z]+) (\S+) (HTTP/\d\.\d)\r?$")
END_OF_HEAD = re.compile(rb"\r?\n\r?\n")
VIEW_RAN = re.compile(r'(?:GET|HEAD) /(?:\?[^ "]*)? HTTP/\d\.\d')  # request lines that ran the view


def sent(sock):
    return b"".join(sock.sent)


def received(sock):
    return b"".join(sock.received)


def whole(sock):
    """Every byte SOCK sent is in the trace: strace shows the first STRING_BYTES of each buffer, and
    where it cut one, where the head ended cannot be known (a later "\r\n\r\n" is no proof)."""
    return not any(c.cut for c in sock.calls if sock.sends(c))


def request(sock, token):
    """(method, path, version) of the first whole request with the token in its path, or None."""
    if not whole(sock):
        return None
    data = sent(sock)
    for found in REQUEST_LINE.finditer(data):
        if token.encode() in found.group(2) and END_OF_HEAD.search(data, found.end() - 2):
            return tuple(part.decode("iso-8859-1") for part in found.groups())
    return None


def to_flask(calls, flask, token):
    """The exercise's TCP connections to the Flask server that sent a whole request with the token."""
    where = (ip_of(flask), PORT)
    return [s for s in calls.of("AF_INET", "SOCK_STREAM") if s.peer == where and request(s, token)]


def seen(calls, flask, token):
    """What went to flask:5000, for a failure message."""
    where = (ip_of(flask), PORT)
    told = [
        f"{len(s.sent)} send(s): {sent(s)[:160]!r}"
        + ("" if whole(s) else f" (a send longer than the {STRING_BYTES} bytes strace shows: not judged)")
        for s in calls.of("AF_INET", "SOCK_STREAM") if s.peer == where and s.sent
    ]  # fmt: skip
    return ("connections to flask:5000 sent " + "; ".join(told)) if told else calls.story()


def log_lines(flask, calls, token):
    """This run's lines in the log, once there is one per request sent (or after a few seconds)."""
    return wait_lines(flask, token, count=len(to_flask(calls, flask, token)))


def answered(lines, socks, token, status="200"):
    """The requests of SOCKS the log does not show answered with STATUS (sent twice: two lines needed)."""
    missing = []
    wanted = [request(s, token) for s in socks]
    for method, path, version in set(wanted):
        shown = {f"{method} {p} {version}" for p in (path, unquote(path))}
        logged = [a for a in map(access, lines) if a and a.status == int(status) and a.request in shown]
        if len(logged) < wanted.count((method, path, version)):
            missing.append(f"{method} {path} {version}")
    return missing


def ran_the_view(line):
    """LINE is Werkzeug's access line of a request the view answered (200 for / or /?query)."""
    answered = access(line)
    return bool(answered and answered.status == 200 and VIEW_RAN.fullmatch(answered.request))


def view_ran_before(flask, line):
    """True if the view's "Done !" comes before LINE (this run's) in the log, and no other request
    of the view took it."""
    for window in before(flask, line):
        pending = 0
        for text in window:
            # The view's own line, nothing else on it (two threads' prints may share one line).
            pending += text.count("Done !") if not text.replace("Done !", "") else 0
            if ran_the_view(text):
                pending = max(0, pending - 1)
        if pending:
            return True
    return False


# --- step 1 ----------------------------------------------------------------------------------


def test_a_hand_written_get_went_to_flask(calls, flask, token):
    assert any(request(s, token)[0] == "GET" for s in to_flask(calls, flask, token)), (
        f"no connection to flask:{PORT} sent a whole GET request (request line, headers, empty line) "
        f"for a path with {token}; {seen(calls, flask, token)}"
    )


@judges("recv")
def test_flask_ran_the_view_and_answered_200(calls, flask, token):
    socks = [s for s in to_flask(calls, flask, token) if request(s, token)[0] == "GET"]
    assert socks, "no whole GET request with the token was sent (the step's first check), so none was served"
    lines = log_lines(flask, calls, token)
    served = [s for s in socks if not answered(lines, [s], token)]
    assert served, (
        f"the server did not log {[' '.join(request(s, token)) for s in socks]} with 200; "
        f"its lines with the token: {lines or 'none'}"
    )
    asked = [request(s, token) for s in served]
    shown = {f"{m} {p} {v}" for m, path, v in asked for p in (path, unquote(path))}
    mine = [line for line in lines if ran_the_view(line) and access(line).request in shown]
    assert any(view_ran_before(flask, line) for line in mine), (
        f"no `Done !` from the view before this run's requests in {LOG} (is the path /, with the token "
        f"in the query?); this run's lines: {lines}"
    )


@judges("recv")
def test_the_answer_came_back_on_that_socket(calls, flask, token):
    socks = [s for s in to_flask(calls, flask, token) if request(s, token)[0] == "GET"]
    assert socks, "no whole GET request with the token was sent (the step's first check), so no answer came"
    got = [received(s) for s in socks]
    assert any(g.startswith(b"HTTP/1.1 200 ") and b"Hello World!" in g for g in got), (
        "no connection that sent the request received HTTP/1.1 200 and Hello World!; they received: "
        + (", ".join(repr(g[:120]) for g in got if g) or "nothing (no recv() on them)")
    )


# --- step 2 ----------------------------------------------------------------------------------


def in_pieces(calls, flask, token):
    """Connections whose request went in two sends or more, the first one stopping before the empty line."""
    return [
        s for s in to_flask(calls, flask, token)
        if len([d for d in s.sent if d]) >= 2 and not END_OF_HEAD.search(s.sent[0])
    ]  # fmt: skip


def test_one_request_went_in_pieces(calls, flask, token):
    if in_pieces(calls, flask, token):
        return
    socks = to_flask(calls, flask, token)
    why = ""
    if len(socks) < 2:
        why = "only one connection sent the token: step 2 is a new connection of its own. "
    elif len([d for d in socks[-1].sent if d]) < 2:
        why = "your last connection sent its whole request in one send(): send the request line first. "
    elif END_OF_HEAD.search(socks[-1].sent[0]):
        why = (
            "the first send() of your last connection already held the empty line that ends the request: the"
            " server answered it at once, and the rest was not part of it. "
        )
    raise AssertionError(
        why + f"No connection to flask:{PORT} sent a request with {token} in two send() calls or more, the"
        f" first stopping before the empty line; {seen(calls, flask, token)}"
    )


@judges("recv")
def test_flask_answered_the_request_made_of_pieces(calls, flask, token):
    socks = in_pieces(calls, flask, token)
    assert socks, "no request was sent in pieces (the step's first check), so none was answered"
    lines = log_lines(flask, calls, token)
    missing = answered(lines, socks, token)
    assert len(missing) < len(socks), (
        f"the server did not log {missing} with 200; its lines with the token: {lines or 'none'}"
    )
    got = [received(s) for s in socks]
    assert any(g.startswith(b"HTTP/1.1 200 ") for g in got), (
        "the connection that sent the request in pieces did not receive HTTP/1.1 200; it received: "
        + (", ".join(repr(g[:120]) for g in got if g) or "nothing (no recv() on it)")
    )


# --- step 3 ----------------------------------------------------------------------------------


def kept_open(calls, flask, token):
    """Connections whose request did not ask the server to close."""
    return [s for s in to_flask(calls, flask, token) if b"connection: close" not in sent(s).lower()]


def read_by_length(sock):
    """(whole, no_eof, what): the answer was read up to its Content-Length, and recv() never gave b''."""
    got = received(sock)
    eof = sock.ended
    end = END_OF_HEAD.search(got)
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", got[: end.start()] if end else b"")
    whole = bool(end and length and len(got) - end.end() >= int(length.group(1)))
    what = (
        f"received {len(sock.received)} time(s), {len(got)} bytes ({got[:60]!r}...), "
        + ("the whole body" if whole else "not the whole head and Content-Length bytes of body")
        + (", then b'' (it waited for the close)" if eof else "")
    )
    return whole, not eof, what


@judges("send", "recv")
def test_a_request_without_connection_close_was_served(calls, flask, token):
    socks = kept_open(calls, flask, token)
    assert socks, (
        f"no connection to flask:{PORT} sent a whole request with {token} without `Connection: close`; "
        + seen(calls, flask, token)
    )
    lines = log_lines(flask, calls, token)
    missing = answered(lines, socks, token)
    assert len(missing) < len(socks), (
        f"the server did not log {missing} with 200; its lines with the token: {lines or 'none'}"
    )


@judges("recv")
def test_its_answer_was_read_by_its_length(calls, flask, token):
    socks = kept_open(calls, flask, token)
    assert socks, "no request without `Connection: close` was sent (the step's first check)"
    told = []
    for s in socks:
        whole, no_eof, what = read_by_length(s)
        if whole and no_eof:
            return
        told.append(what)
    raise AssertionError(
        "the answer was not read by its length (head, then exactly Content-Length bytes, no recv() "
        "returning b''): " + "; ".join(told)
    )
