"""Lab 8 checks: the exercise's TCP sockets as strace recorded them (where each connected, what
the kernel answered to bind, getsockname and connect), and what the Flask and chat servers logged."""

import re
import shlex

from lab_runner.evidence import ip_of, lines_of, per_run, wait_lines
from lab_runner.judges import judges
from lab_runner.loglines import access, chat_peer, chat_sent
from lab_runner.services import log_of
from lab_runner.trace import SEND, address

FLASK_LOG = log_of("flask")  # named in messages
SO_ERROR = re.compile(r"SO_ERROR, \[(\w+)\]")
PENDING = ("EINPROGRESS", "EAGAIN", "EALREADY", "EINTR")


def address_of(workbench, service):
    """SERVICE's IPv4 address as the workbench resolves its name, as the exercise did.

    Asked in the workbench, once per run (the run keeps it): a command in the chat container
    costs processes there, and it may hold only 32 at a time (pids_limit), shared with other
    labs' checks."""
    ask = lambda: workbench.run(f"getent ahostsv4 {shlex.quote(service)}").stdout.split()[0]  # noqa: E731
    return per_run(workbench, ("address", service), ask)


def tcp(calls):
    """The exercise's own TCP sockets (not the resolver's)."""
    return [s for s in calls.learners() if s.type == "SOCK_STREAM" and s.family in ("AF_INET", "AF_INET6")]


def port_of(where):
    return where[1] if isinstance(where, tuple) else None


def connected(sock):
    """How SOCK's connect() ended: "ok", an errno like "ECONNREFUSED", or None if it made none.

    A connect() with a timeout returns EINPROGRESS at once; the outcome comes later from
    getsockopt(SO_ERROR): [0] is success."""
    outcome = None
    for call in sock.calls:
        if call.name == "connect":
            outcome = "ok" if call.ret == 0 else call.errno
        elif call.name == "getsockopt" and outcome in PENDING and (m := SO_ERROR.search(call.args)):
            outcome = "ok" if m.group(1) == "0" else m.group(1)
        elif call.name in SEND and outcome in PENDING and call.ret and call.ret > 0:
            outcome = "ok"
    return outcome


def tried(calls):
    """Every connect() the exercise's TCP sockets made, for a failure message."""
    return [f"{s.peer} {connected(s)}" for s in tcp(calls) if s.made("connect")] or "none"


def carried(sock, token):
    return any(token.encode() in data for data in sock.sent)


def where(calls):
    """Each call's place in the trace, to tell what came first."""
    return {id(c): i for i, c in enumerate(calls.calls)}


# --- step 1: the port picks the application -----------------------------------------------


def test_the_client_reached_port_5000_and_port_12345(calls, workbench):
    wanted = {(address_of(workbench, "flask"), 5000): "flask", (address_of(workbench, "chat"), 12345): "chat"}
    reached = {s.peer for s in tcp(calls) if connected(s) == "ok"}
    missing = [f"{name} {peer}" for peer, name in wanted.items() if peer not in reached]
    assert not missing, (
        f"no successful TCP connect() to {', '.join(missing)}; the connects made: {tried(calls)}"
    )


def test_flask_logged_the_request_from_the_workbench(flask, workbench, token):
    lines = wait_lines(flask, f"GET /?run={token} ")
    asked = [a for a in map(access, lines) if a and a.request.startswith(f"GET /?run={token} ")]
    assert asked, f"no request for /?run={token} in the Flask server's log {FLASK_LOG}"
    ip = ip_of(workbench)
    assert any(a.client == ip and a.status == 200 for a in asked), (
        f"Flask did not log the request as served (200) to the workbench ({ip}): {lines}"
    )


def chat_of(workbench):
    return (address_of(workbench, "chat"), 12345)


def chat_lines_sent(calls, server, token):
    """The lines with the token that went over connections to SERVER, the chat server."""
    return [
        line
        for s in tcp(calls)
        if s.peer == server
        for line in b"".join(s.sent).split(b"\n")
        if token.encode() in line
    ]


@judges("send", "connect", "error", lines="chat")
def test_chat_logged_the_line(chat, workbench, calls, token):
    sent = chat_lines_sent(calls, chat_of(workbench), token)
    lines = wait_lines(chat, token, count=max(1, len(sent)))
    heard = [line for line in lines if chat_sent(line)]
    assert heard, (
        f"the chat server logged no line with this run's token; the lines with it sent to chat:"
        f" {sent or 'none'}; the connects made: {tried(calls)}"
    )


# --- step 2: port 0, getsockname, and a port nobody listens on -------------------------------


def port_0_listeners(calls):
    """(listener, the port the kernel gave it): TCP sockets bound to port 0 that listened."""
    found = []
    for s in tcp(calls):
        if port_of(s.bound) == 0 and any(c.ret == 0 for c in s.made("listen")):
            answers = [port_of(address(c.args)) for c in s.made("getsockname") if c.ret == 0]
            found.append((s, next((p for p in answers if p), None)))
    return found


@judges("bind", "listen")
def test_a_listener_bound_to_port_0_and_asked_which_port_it_got(calls):
    found = port_0_listeners(calls)
    binds = [str(c) for s in tcp(calls) for c in s.made("bind")]
    assert found, "no TCP socket was bound to port 0 and listened" + (
        f"; the binds made: {binds}" if binds else f"; {calls.story()}"
    )
    assert any(port for _, port in found), (
        "the listener bound to port 0 never asked which port it got: no getsockname() on it"
    )


def conversations(calls, token):
    """(listener, port, client): another socket connected to the kernel-picked port and sent the token."""
    found = []
    for listener, port in port_0_listeners(calls):
        for s in tcp(calls):
            if (
                s is not listener
                and port
                and port_of(s.peer) == port
                and connected(s) == "ok"
                and carried(s, token)
            ):
                found.append((listener, port, s))
    return found


def accepted(calls, listener):
    mine = {id(c) for c in listener.calls}
    return [s for s in calls.sockets if s.calls[0].name.startswith("accept") and id(s.calls[0]) in mine]


@judges("connect", "accept", "recv")
def test_a_second_socket_connected_to_that_port_and_the_listener_got_the_token(calls, token):
    listening = [(listener, port) for listener, port in port_0_listeners(calls) if port]
    assert listening, "no listener with a kernel-picked port (the check before), so nothing to connect to"
    talks = conversations(calls, token)
    ports = [port for _, port in listening]
    assert talks, (
        f"no socket connected to port {ports} and sent this run's token; the connects made: {tried(calls)}"
    )
    conns = [conn for listener, _, _ in talks for conn in accepted(calls, listener)]
    assert conns, f"the listener on port {ports} never accept()ed the connection; {calls.story()}"
    got = b"".join(data for conn in conns for data in conn.received)
    assert token.encode() in got, f"the accepted connection received {got[:200]!r}, without this run's token"


@judges("error")
def test_a_later_connect_to_that_port_was_refused_and_caught(calls, exercise, token):
    order = where(calls)
    talks = conversations(calls, token)
    assert talks, "no conversation through a kernel-picked port (the checks before), so nothing to refuse"
    after_close = []
    for listener, port, _ in talks:
        closed = [order[id(c)] for c in listener.made("close")]
        if not closed:
            continue
        after_close += [
            s
            for s in tcp(calls)
            if port_of(s.peer) == port and any(order[id(c)] > closed[0] for c in s.made("connect"))
        ]
    assert after_close, (
        f"no connect() to port {[p for _, p, _ in talks]} after the listener was closed; "
        f"the connects made: {tried(calls)}"
    )
    outcomes = [connected(s) for s in after_close]
    assert "ECONNREFUSED" in outcomes, f"connect() to the closed port ended {outcomes}, not ECONNREFUSED"
    assert exercise.exit_code == 0, (
        f"the connect was refused, but the program then exited with code {exercise.exit_code}: "
        "catch ConnectionRefusedError"
    )


# --- step 3: two connections at once, told apart by the client port -----------------------------


def local_address(sock):
    """What getsockname() answered for SOCK: (ip, port), or None if it was never asked."""
    answers = [address(c.args) for c in sock.made("getsockname") if c.ret == 0]
    return next((a for a in answers if port_of(a)), None)


def at_once(calls, server, token):
    """Pairs of connections to SERVER (chat) that each carried the token and were open at the same time."""
    order = where(calls)
    chats = [s for s in tcp(calls) if s.peer == server and connected(s) == "ok" and carried(s, token)]

    def span(s):
        closes = [order[id(c)] for c in s.made("close")]
        return order[id(s.made("connect")[0])], closes[0] if closes else len(order)

    return [(a, b) for a in chats for b in chats if a is not b and span(a)[0] < span(b)[0] < span(a)[1]]


def test_two_connections_to_chat_were_open_at_once(calls, workbench, token):
    server = chat_of(workbench)
    pairs = at_once(calls, server, token)
    chats = [s for s in tcp(calls) if s.peer == server]
    assert pairs, (
        f"no two connections to chat {server} were open at the same time, each sending a line with the token;"
        f" the connections to chat: {[(s.describe(), s.sent) for s in chats] or 'none'}"
    )


def test_getsockname_showed_one_client_address_and_two_ports(calls, workbench, token):
    pairs = at_once(calls, chat_of(workbench), token)
    assert pairs, "no two chat connections open at once (the check before), so nothing to compare"
    asked = [(local_address(a), local_address(b)) for a, b in pairs]
    both = [(x, y) for x, y in asked if x and y]
    assert both, f"getsockname() was not asked on both connections of a pair; it answered: {asked}"
    assert any(x[0] == y[0] and x[1] != y[1] for x, y in both), (
        f"getsockname() answered {both}: expected the same client address with two different ports"
    )


@judges("connect", lines="chat")
def test_chat_accepted_each_from_its_own_client_port(chat, workbench, calls, token):
    server = chat_of(workbench)
    mine = {local_address(s) for pair in at_once(calls, server, token) for s in pair} - {None}
    assert len(mine) >= 2, (
        "no two chat connections open at once with getsockname() answers (the checks before),"
        f" so no client ports to look for in the chat log (found: {sorted(mine)})"
    )
    wait_lines(chat, token, count=max(1, len(chat_lines_sent(calls, server, token))))
    peers = {port: f"('{ip}', {port})" for ip, port in sorted(mine)}  # as the chat server names them
    me = ip_of(workbench)
    log = lines_of(chat, f"('{me}', ")  # this run's lines: each names the sandbox's address
    heard = []
    for port, peer in peers.items():
        open_now = False
        for line in log:
            said = chat_sent(line)
            if said and token in said[1]:
                if open_now:
                    heard.append(port)
                    break
            elif line == f"Accepted connection from: {peer}":
                open_now = True
            elif chat_peer(line) == (me, port):
                open_now = False  # "Connection closed: ..." or "... broke": that connection ended
    missing = [peer for port, peer in peers.items() if port not in heard]
    assert not missing, (
        f"the chat log has no connection from {missing} that was open when a line with the token arrived;"
        f" the chat log's lines for these ports and the token: {log[-12:]}"
    )
