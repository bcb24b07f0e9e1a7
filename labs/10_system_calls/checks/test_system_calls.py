"""Lab 10 checks: the exercise's socket calls as strace recorded them around it in the workbench
(socket, connect, the request with the token going out, the answer coming in, getsockopt), and
Flask's own log of the requests it answered."""

import re

from lab_runner.evidence import ip_of, wait_lines
from lab_runner.judges import judges
from lab_runner.loglines import access
from lab_runner.trace import RECV as RECVS
from lab_runner.trace import SEND as SENDS

PORT = 5000


def to_flask(calls, flask):
    """The exercise's TCP sockets that tried to connect to the Flask server's port."""
    where = (ip_of(flask), PORT)
    return [s for s in calls.of("AF_INET", "SOCK_STREAM") if s.peer == where]


def request_line(sock):
    """The first line of what SOCK sent, e.g. "GET /?run=... HTTP/1.1" (empty if it sent nothing)."""
    return b"".join(sock.sent).split(b"\r\n", 1)[0].split(b"\n", 1)[0].decode(errors="replace")


def with_token(socks, token):
    return [s for s in socks if token in request_line(s)]


def connects(sock):
    return sock.made("connect")


def blocking_ones(calls, flask):
    """Sockets to flask:5000 whose connect() returned 0: the kernel finished it before answering."""
    return [s for s in to_flask(calls, flask) if any(c.ret == 0 for c in connects(s))]


def nonblocking_ones(calls, flask):
    """Sockets to flask:5000 whose connect() returned at once, with EINPROGRESS."""
    return [s for s in to_flask(calls, flask) if any(c.errno == "EINPROGRESS" for c in connects(s))]


def flask_story(calls, flask):
    found = [str(c) for s in to_flask(calls, flask) for c in connects(s)]
    if not found:
        return f"no connect() to flask ({ip_of(flask)}:{PORT}) at all; {calls.story()}"
    return f"its connects to flask: {found}"


def answered_200(flask, workbench, calls, token, sock):
    """Flask's log lines for SOCK's request: as many 200s as sockets sent that same request line."""
    line = request_line(sock)
    sent = [s for s in calls.sockets if request_line(s) == line]
    lines = wait_lines(flask, token, count=len(with_token(calls.sockets, token)))
    ip = ip_of(workbench)
    ok = [a for a in map(access, lines) if a and a.client == ip and a.request == line and a.status == 200]
    return len(ok) >= len(sent), lines


# --- step 1: a blocking client, seen from the inside --------------------------------------------


def test_a_tcp_socket_connected_to_flask_port_5000(calls, flask):
    assert blocking_ones(calls, flask), (
        f"no AF_INET, SOCK_STREAM socket had connect() = 0 to flask:{PORT}; {flask_story(calls, flask)}"
    )


def test_the_request_with_the_token_went_out_on_it(calls, flask, token):
    socks = blocking_ones(calls, flask)
    assert socks, "no socket connected to flask:5000 (the check above), so no request could go out on one"
    lines = [request_line(s) for s in socks]
    assert with_token(socks, token), (
        f"no request with this run's token went out on it; request lines sent: {lines}"
    )


@judges("recv")
def test_its_answer_was_read_to_the_end(calls, flask, token):
    socks = with_token(blocking_ones(calls, flask), token)
    assert socks, "no request with the token went out on a connected socket, so no answer could come back"
    seen = []
    for sock in socks:
        got = [c for c in sock.calls if c.name in RECVS and c.ret is not None and c.ret >= 0]
        status = got[0].data.split(b"\r\n", 1)[0] if got else b""
        if status.startswith(b"HTTP/1.") and b" 200 " in status + b" " and got[-1].ret == 0:
            return
        seen.append([f"{c.ret}: {c.data[:40]!r}" for c in got] or "no recv")
    raise AssertionError(
        f"the answer was not read up to a recv() that returned 0 (the end of the stream): recvs {seen}"
    )


@judges("send", "connect", "error", lines="flask")
def test_flask_logged_a_200_for_that_request(flask, workbench, calls, token):
    socks = with_token(blocking_ones(calls, flask), token)
    assert socks, "no request with the token went out on a connected socket, so Flask could not log one"
    ok, lines = answered_200(flask, workbench, calls, token, socks[0])
    assert ok, f"Flask did not log {request_line(socks[0])!r} with 200 from the workbench; its lines: {lines}"


# --- step 2: a non-blocking connect --------------------------------------------------------------


def test_connect_returned_einprogress(calls, flask):
    assert nonblocking_ones(calls, flask), (
        f"no connect() to flask:{PORT} returned -1 EINPROGRESS; {flask_story(calls, flask)}"
    )


WAITS = ("poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait")


def waits_for_writing(calls, sock, after, before):
    """The calls in CALLS.calls[AFTER:BEFORE] that waited for SOCK's descriptor to be writable:
    poll() asking POLLOUT of it, select() with it in the write set, or epoll_wait() on an epoll
    that has it registered for EPOLLOUT. Each as (call, events asked)."""
    fd, found, epolls = sock.fd, [], set()
    born = calls.calls.index(sock.calls[0])
    for n, c in enumerate(calls.calls[born:before], born):
        if c.name == "epoll_ctl" and re.match(rf"\d+, EPOLL_CTL_(ADD|MOD), {fd}, .*EPOLLOUT", c.args):
            epolls.add(c.fd)
        if n < after or c.name not in WAITS or not c.ret:  # a wait that timed out saw nothing writable
            continue
        if c.name in ("poll", "ppoll"):
            asked = re.search(rf"\{{fd={fd}, events=([A-Z|]+)\}}", c.args)
            if asked and "POLLOUT" in asked.group(1):
                found.append((c, asked.group(1)))
        elif c.name in ("select", "pselect6"):
            sets = re.match(r"\d+, (NULL|\[[\d ]*\]), (NULL|\[[\d ]*\])", c.args)
            if sets and str(fd) in sets.group(2).strip("[]").split():
                found.append((c, "the write set"))
        elif c.fd in epolls:
            found.append((c, "EPOLLOUT"))
    return found


def after_connect(calls, sock):
    """(where its EINPROGRESS connect() is in CALLS.calls, where each SO_ERROR read after it is)."""
    started = next(c for c in sock.calls if c.errno == "EINPROGRESS")
    asked = [
        c for c in sock.calls[sock.calls.index(started) :]
        if c.name == "getsockopt" and "SO_ERROR" in c.args and c.ret == 0
    ]  # fmt: skip
    return calls.calls.index(started), [calls.calls.index(c) for c in asked]


def pythons_poll(call):
    """Whether CALL is a poll() Python's own wait under settimeout() could be: poll() with a timeout
    of 0 ms or more. A poll() with no timeout (-1) is the program's own: a socket with no timeout
    is blocking, and Python never polls for it."""
    timeout = call.args.rsplit(",", 1)[-1].strip()
    return call.name == "poll" and timeout.isdigit()


def settimeout_made(calls, sock, waited):
    """Whether the trace shows settimeout(), not only a wait that looks like its: Python's wait
    inside connect() on a socket with a timeout is poll(POLLOUT|POLLERR), which a program may
    also ask itself; but under a timeout Python polls again before every send, so the first send
    after the connect comes right after a poll() asking POLLOUT of that one descriptor, with the
    socket's mode never set again (ioctl FIONBIO, fcntl) in between. A program that waited itself
    sends without that second wait (or put the socket back into blocking mode first)."""
    if not waited or any(events != "POLLOUT|POLLERR" for _, events in waited):
        return False
    if not all(pythons_poll(c) for c, _ in waited):
        return False
    started = next(c for c in sock.calls if c.errno == "EINPROGRESS")
    first_send = next((c for c in sock.calls[sock.calls.index(started) :] if c.name in SENDS), None)
    if first_send is None:
        return False
    begin, end = calls.calls.index(started), calls.calls.index(first_send)
    mine = {id(c) for c in sock.calls}
    touching = [
        c for c in calls.calls[begin + 1 : end]
        if c.pid == sock.pid and (id(c) in mine or re.search(rf"\{{fd={sock.fd}, ", c.args))
    ]  # fmt: skip
    if any(c.name in ("ioctl", "fcntl") for c in touching):
        return False
    last = touching[-1] if touching else None
    return bool(
        last and pythons_poll(last) and re.match(rf"\[\{{fd={sock.fd}, events=POLLOUT\}}\], 1,", last.args)
    )


def test_your_program_waited_until_the_socket_was_writable(calls, flask):
    socks = nonblocking_ones(calls, flask)
    assert socks, "no connect() returned EINPROGRESS, so there was no handshake to wait for"
    told = []
    for sock in socks:
        started, reads = after_connect(calls, sock)
        if not reads:
            told.append("no getsockopt(SOL_SOCKET, SO_ERROR) after the connect() (the next check)")
            continue
        timed = settimeout_made(calls, sock, waits_for_writing(calls, sock, started, reads[-1]))
        for asked in reads:  # SO_ERROR read once the wait said writable (reading it earlier too is harmless)
            if waits_for_writing(calls, sock, started, asked) and not timed:
                return
        if timed:
            told.append(
                "the only wait the trace shows is the one Python makes itself when the socket has a"
                " settimeout(): inside socket.connect(), poll(POLLOUT|POLLERR) then SO_ERROR, and again a"
                " poll(POLLOUT) before each send, each with a timeout. This step is that wait written by"
                " you: setblocking(False), connect_ex() (or connect() and its BlockingIOError), then"
                " select/poll/selectors until it is writable"
            )
            continue
        other = [str(c) for c in calls.calls[started : reads[-1]] if c.name in WAITS]
        connected, first_read = calls.calls[started], calls.calls[reads[0]]
        gap = (
            f" {first_read.at - connected.at:.3f} s after the connect()"
            if first_read.at is not None and connected.at is not None
            else ""
        )
        told.append(
            f"SO_ERROR was read{gap} without waiting for the socket to become writable: SO_ERROR reads 0"
            " while the handshake is still going too, so without that wait its 0 does not say the"
            " connection succeeded; a sleep is not that wait (select/poll/selectors asking for writable is)"
            + (f"; the waits in between did not see fd {sock.fd} writable: {other}" if other else "")
        )
    raise AssertionError("; ".join(dict.fromkeys(told)))


def so_error_reads(calls, sock):
    """SOCK's getsockopt(SOL_SOCKET, SO_ERROR) after its EINPROGRESS connect() and before its first send."""
    started = next(n for n, c in enumerate(sock.calls) if c.errno == "EINPROGRESS")
    sends = [n for n, c in enumerate(sock.calls) if c.name in SENDS and n > started]
    before = sock.calls[started : sends[0] if sends else None]
    return [c for c in before if c.name == "getsockopt" and "SO_ERROR" in c.args and c.ret == 0]


@judges("getsockopt", "error")
def test_so_error_was_read_on_that_socket(calls, flask):
    socks = nonblocking_ones(calls, flask)
    assert socks, "no connect() returned EINPROGRESS, so there was no connection to ask SO_ERROR about"
    asked = [c for s in socks for c in so_error_reads(calls, s)]
    made = [
        f"{c.name}() = {c.ret} {c.errno or ''}".strip() for s in socks for c in s.calls if c.name != "socket"
    ]
    assert asked, (
        "no getsockopt(SOL_SOCKET, SO_ERROR) on that socket between its EINPROGRESS connect() and its "
        f"first send; its calls: {made}"
    )
    assert any("[0]" in c.args for c in asked), (
        f"SO_ERROR said the connection failed: {[str(c) for c in asked]}"
    )


@judges("send", "recv")
def test_the_request_went_out_on_that_socket_and_flask_answered_200(flask, workbench, calls, token):
    socks = nonblocking_ones(calls, flask)
    assert socks, "no connect() returned EINPROGRESS, so no request could go out on such a socket"
    sent = with_token(socks, token)
    assert sent, (
        f"no request with this run's token went out on the non-blocking socket; request lines sent: "
        f"{[request_line(s) for s in socks]}"
    )
    ok, lines = answered_200(flask, workbench, calls, token, sent[0])
    assert ok, f"Flask did not log {request_line(sent[0])!r} with 200 from the workbench; its lines: {lines}"
