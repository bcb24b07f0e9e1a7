"""Lab 14 checks: how the exercise's connections ended.

Three kinds of evidence, none of which the exercise can print: its socket calls (strace), the
packets of its sandbox (tcpdump, where FIN and RST are flags), and the kernel's table of
connections in TIME_WAIT, which the checks read themselves with `ss`, as root, in the sandbox.
A connection is a client socket and the socket accept() made for it, joined by the client's
port (accept() names it); its packets are those between the two ports on 127.0.0.1.
"""

import re
from dataclasses import dataclass

from lab_runner.capture import parse, whole
from lab_runner.judges import judges
from lab_runner.trace import RECV, SEND, address

PORT = 24680  # the exercise's defaults by hand; a run has the learner's own in run.values
SIZE = 100000
REUSE = re.compile(r"SOL_SOCKET, SO_REUSEADDR, \[1\]")


def value(run, key, default):
    """The learner's own value of KEY (lab.toml's [values]), as the exercise got it in LAB_<KEY>."""
    return run.values.get(key, default)


@dataclass
class Conn:
    client: object  # the client's socket (trace.Socket), None when the trace has no connect() for it
    server: object  # the socket accept() made
    listener: object  # the listening socket that accepted it
    port: int  # the listener's port
    cport: int  # the client's port


def port_of(sock):
    """The port SOCK was bound to: bind()'s, or getsockname()'s after a bind to port 0."""
    for call in sock.calls:
        where = address(call.args) if call.name in ("bind", "getsockname") and call.ret == 0 else None
        if isinstance(where, tuple) and where[1]:
            return where[1]
    return None


def listeners(calls):
    return [s for s in calls.learners() if any(c.name == "listen" and c.ret == 0 for c in s.calls)]


def connections(calls):
    """Every connection the exercise made to itself, in the order accept() returned them."""
    found = []
    for listener in listeners(calls):
        port = port_of(listener)
        made = {id(c) for c in listener.calls if c.name.startswith("accept")}
        conns = [s for s in calls.learners() if s.calls and id(s.calls[0]) in made]
        clients = [
            s for s in calls.learners()
            if isinstance(s.peer, tuple) and s.peer[1] == port and s is not listener
            and any(c.name == "connect" and (c.ret == 0 or c.errno == "EINPROGRESS") for c in s.calls)
        ]  # fmt: skip
        for n, conn in enumerate(conns):
            if isinstance(conn.peer, tuple):
                client = clients[n] if n < len(clients) else None
                found.append(Conn(client, conn, listener, port, conn.peer[1]))
    return sorted(found, key=lambda c: c.server.calls[0].at or 0)


def moved(sock, sending):
    """Bytes SOCK sent (or received), by what the calls returned."""
    want = SEND if sending else RECV
    return sum(c.ret for c in sock.calls if c.name in want and c.ret and c.ret > 0)


def packets(live, conn):
    """The packets of CONN, each with who sent it: 'client' or 'server'. They are judged once the
    capture holds every packet sent before the exercise ended (capture.whole): tcpdump's lines
    lag, and a late RST must not let close() with bytes unread pass."""
    ends = {(conn.cport, conn.port): "client", (conn.port, conn.cport): "server"}
    ran = whole(live)
    flow = [(ends[(p.src[1], p.dst[1])], p) for p in parse(ran.packets) if (p.src[1], p.dst[1]) in ends]
    assert any(who == "client" and p.flags == "SYN" for who, p in flow), (
        f"the capture holds no SYN of the connection from port {conn.cport} to {conn.port}: its packets"
        " were not all captured, so how it ended cannot be judged"
    )
    return flow


def told(flow):
    """The packets of a connection in words, for a message: client FIN-ACK, server ACK 32768 B, ..."""
    words = [f"{who} {p.flags}" + (f" {p.length} B" if p.length else "") for who, p in flow]
    return ", ".join(words[3:][:14]) or "none"  # the handshake left out


def first(flow, who, test):
    return next((i for i, (w, p) in enumerate(flow) if w == who and test(p)), None)


def fin(p):
    return "FIN" in p.flags.split("-")


def data(p):
    return p.length > 0


def rst(p):
    return p.flags == "RST"


def index(sock, name, test=lambda c: True):
    return next((i for i, c in enumerate(sock.calls) if c.name == name and test(c)), None)


def sent_token(sock, token):
    return sock is not None and any(token.encode() in d for d in sock.sent)


def to_reversers(calls, token, run):
    """The connections to a server of the starter's (not the learner's port) whose client sent the token."""
    port = value(run, "port", PORT)
    return [c for c in connections(calls) if c.port != port and sent_token(c.client, token)]


# --- step 1: close() right after sending -------------------------------------------------------


def closed_at_once(conn):
    """CONN's client called close() with no shutdown() and no recv() before it."""
    calls = conn.client.calls
    shut, close = index(conn.client, "shutdown"), index(conn.client, "close")
    read = next((i for i, c in enumerate(calls) if c.name in RECV), None)
    return close is not None and (shut is None or shut > close) and (read is None or read > close)


@judges("send", "close")
def test_a_client_closed_right_after_sending(exercise, token, run):
    conns = to_reversers(exercise.calls, token, run)
    assert conns, (
        f"no connection to the reversing server carried this run's token ({token}); {exercise.calls.story()}"
    )
    assert any(closed_at_once(c) for c in conns), (
        "every client of the reversing server called shutdown() or recv() before close(); the experiment"
        " is a client that sends, then calls close() at once (the starter's step 1)"
    )


@judges("close")
def test_the_answer_that_came_after_close_was_reset(exercise, live, token, run):
    conns = [c for c in to_reversers(exercise.calls, token, run) if closed_at_once(c)]
    assert conns, f"no client closed right after sending; {exercise.calls.story()}"
    flow = packets(live, conns[0])
    answered = first(flow, "server", data)
    reset = first(flow, "client", rst)
    assert answered is not None and reset is not None and reset > answered, (
        f"on the connection from port {conns[0].cport}, the packets after the handshake were: {told(flow)};"
        " expected the server's answer, then an RST from the client's port"
    )


# --- step 2: half-close, then read until b'' ----------------------------------------------------


def half_closed(calls, token, run):
    """The connections to a reversing server whose client called shutdown() (step 2's)."""
    return [c for c in to_reversers(calls, token, run) if c.client.made("shutdown")]


@judges("shutdown", "recv")
def test_your_client_shut_down_its_sending_side_before_reading(exercise, token, run):
    conns = to_reversers(exercise.calls, token, run)
    assert len(conns) > 1 or (conns and not closed_at_once(conns[0])), (
        "only step 1's connection reached a reversing server: start another one (start_reverser()),"
        f" connect, send hello-<token>, then shutdown(SHUT_WR); {exercise.calls.story()}"
    )
    conns = half_closed(exercise.calls, token, run)
    assert conns, (
        "your step 2 client never called shutdown(): close() ends both directions, so the answer is reset;"
        " shutdown(socket.SHUT_WR) ends only your sending side"
    )
    sock = conns[-1].client
    shut = [c for c in sock.made("shutdown") if c.ret == 0]
    assert any("SHUT_WR" in c.args for c in shut), (
        f"your client called {[str(c) for c in sock.made('shutdown')]}: SHUT_RDWR (or SHUT_RD) ends your"
        " reading side too, so the answer cannot be read; shut down only the writing side, SHUT_WR"
    )
    at = index(sock, "shutdown", lambda c: "SHUT_WR" in c.args and c.ret == 0)
    sent = [i for i, c in enumerate(sock.calls) if c.name in SEND and c.ret]
    reads = [i for i, c in enumerate(sock.calls) if c.name in RECV and c.ret is not None and c.ret >= 0]
    assert sent and sent[-1] < at, "your client called shutdown(SHUT_WR) before it sent hello-<token>"
    assert reads and reads[0] > at, (
        "your client read nothing after its shutdown(SHUT_WR): the answer comes only after it"
    )


@judges("shutdown", "recv", "send")
def test_the_server_answered_only_after_your_fin(exercise, live, token, run):
    conns = half_closed(exercise.calls, token, run)
    assert conns, f"no client of a reversing server called shutdown(); {exercise.calls.story()}"
    conn = conns[-1]
    eof = next((i for i, c in enumerate(conn.server.calls) if c.name in RECV and c.ret == 0), None)
    answer = next((i for i, c in enumerate(conn.server.calls) if c.name in SEND and c.ret), None)
    assert eof is not None and (answer is None or answer > eof), (
        "the reversing server answered before it read the end of the stream (recv() == b''): keep the"
        " starter's reverser(), which answers only after your FIN"
    )
    flow = packets(live, conn)
    fin_at, data_at = first(flow, "client", fin), first(flow, "server", data)
    assert fin_at is not None and data_at is not None and fin_at < data_at, (
        f"on your connection from port {conn.cport}, the packets after the handshake were: {told(flow)};"
        " expected your FIN first, then the server's answer"
    )


@judges("recv")
def test_your_client_read_the_whole_answer_to_its_end(exercise, token, run):
    conns = half_closed(exercise.calls, token, run)
    assert conns, f"no client of a reversing server called shutdown(); {exercise.calls.story()}"
    conn, size = conns[-1], value(run, "size", SIZE)
    sent, got = moved(conn.server, True), moved(conn.client, False)
    assert sent == size, (
        f"the reversing server sent {sent} bytes, not this run's LAB_SIZE, {size}: keep the starter's"
        " reverser(), which reads SIZE from LAB_SIZE"
    )
    assert got == sent, (
        f"the server sent {sent} bytes and your client's recv() calls returned {got}: read in a loop until"
        " recv() returns b''"
    )
    reads = [c for c in conn.client.calls if c.name in RECV and c.ret is not None]
    assert reads and reads[-1].ret == 0, (
        f"your client read all {got} bytes but never saw recv() return b'' (the server's end):"
        " read until it does"
    )


# --- step 3: a server that ends first, cleanly ----------------------------------------------------


def on_port(calls, token, run):
    """The connections the learner's server on PORT accepted that carried the token, in order."""
    port = value(run, "port", PORT)
    conns = [c for c in connections(calls) if c.port == port]
    return [c for c in conns if any(token.encode() in d for d in c.server.received)]


@judges("bind", "listen", "accept", "recv", "send")
def test_your_server_on_the_port_accepted_the_talker_and_answered(exercise, token, run):
    port = value(run, "port", PORT)
    ours = [s for s in listeners(exercise.calls) if port_of(s) == port]
    assert ours, f"no socket of yours listened on port {port}; {exercise.calls.story()}"
    conns = on_port(exercise.calls, token, run)
    assert conns, (
        f"your server on port {port} accepted no connection that sent hello-<token> (start_talker({port})"
        " after listen(), then accept())"
    )
    assert moved(conns[0].server, True), "your server read the talker's request but answered nothing"


@judges("shutdown", "close")
def test_it_ended_the_connection_first_with_no_rst(exercise, live, token, run):
    conns = on_port(exercise.calls, token, run)
    assert conns, f"your server accepted no talker; {exercise.calls.story()}"
    flow = packets(live, conns[0])
    resets = [who for who, p in flow if rst(p)]
    assert not resets, (
        f"an RST went from the {resets[0]}'s port on your server's first connection ({told(flow)}):"
        " close() with bytes unread, or still coming, resets the connection. shutdown(SHUT_WR), read"
        " until b'', then close()"
    )
    mine, theirs = first(flow, "server", fin), first(flow, "client", fin)
    assert mine is not None and (theirs is None or mine < theirs), (
        f"the talker ended the connection first, not your server ({told(flow)}): your server sends its FIN"
        " first (shutdown(SHUT_WR) after answering)"
    )
    # No RST can be luck: when the talker's FIN comes between shutdown() and close(), the kernel
    # has already moved the connection to TIME_WAIT, and close() resets nothing, bytes unread or
    # not (1 run in 20 of shutdown-then-close here). Only reading to the end makes it certain.
    calls = conns[0].server.calls  # its last close() ends the connection (a dup's closes before do not)
    closed = max((i for i, c in enumerate(calls) if c.name == "close"), default=len(calls))
    assert any(c.name in RECV and c.ret == 0 for c in calls[:closed]), (
        "no RST this time, but only because the talker happened to end first: your server called close()"
        " before it read the talker's end (recv() == b''), and close() with bytes unread resets the"
        " connection whenever the talker is slower. After shutdown(SHUT_WR), read until recv() returns b'',"
        " then close()"
    )


@judges("shutdown", "close")
def test_its_end_of_the_connection_waits_in_time_wait(workbench, exercise, token, run):
    conns = on_port(exercise.calls, token, run)
    assert conns, f"your server accepted no talker; {exercise.calls.story()}"
    port, cport = conns[0].port, conns[0].cport
    rows = workbench.run("ss -Htan state time-wait").stdout.splitlines()
    ends = [row.split()[2:4] for row in rows if len(row.split()) >= 4]
    here = [e for e in ends if e[0].endswith(f":{port}") and e[1].endswith(f":{cport}")]
    assert here, (
        f"ss -tan state time-wait in your sandbox lists no connection of 127.0.0.1:{port} with the talker's"
        f" port {cport}; it lists: {[' '.join(e) for e in ends] or 'none'}. The side that sends its FIN first"
        " waits in TIME_WAIT"
    )


# --- step 4: bind again at once ----------------------------------------------------------------


def binds_to(calls, port):
    """Every bind() to PORT, with its socket, in order."""
    return [
        (s, c) for s in calls.learners() for c in s.calls
        if c.name == "bind" and isinstance(address(c.args), tuple) and address(c.args)[1] == port
    ]  # fmt: skip


def reuse_before(sock, call):
    opts = [c for c in sock.calls if c.name == "setsockopt" and REUSE.search(c.args) and c.ret == 0]
    return any(sock.calls.index(o) < sock.calls.index(call) for o in opts), bool(opts)


@judges("setsockopt", "bind", "error")
def test_a_new_socket_bound_the_port_again_with_so_reuseaddr(exercise, token, run):
    port = value(run, "port", PORT)
    conns = on_port(exercise.calls, token, run)
    assert conns, f"step 3's server accepted no talker on port {port}; {exercise.calls.story()}"
    done = [c.at for c in conns[0].server.calls if c.name == "close" and c.at]
    later = [(s, c) for s, c in binds_to(exercise.calls, port) if done and (c.at or 0) > done[0]]
    bound = [(s, c) for s, c in later if c.ret == 0]
    if not bound:
        tried = [(s, c) for s, c in later if c.errno == "EADDRINUSE"]
        assert tried, f"no socket bound port {port} again after step 3's connection closed"
        first_had = any(reuse_before(s, c)[0] for s, c in binds_to(exercise.calls, port) if c.ret == 0)
        with_opt = [(s, c) for s, c in tried if reuse_before(s, c)[0]]
        every = binds_to(exercise.calls, port)
        after = [(s, c) for s, c in every if reuse_before(s, c)[1] and not reuse_before(s, c)[0]]
        assert not with_opt, (
            f"bind() of port {port} failed with EADDRINUSE although SO_REUSEADDR was set on the new socket:"
            " step 3's listener had no SO_REUSEADDR"
            + ("" if first_had else ", and its connection in TIME_WAIT keeps that: set it on both,")
            + " before bind()"
        )
        raise AssertionError(
            f"bind() of port {port} failed with EADDRINUSE: step 3's connection still waits in TIME_WAIT"
            " there."
            + (" SO_REUSEADDR set after bind() is too late: set it before" if after else " Set SO_REUSEADDR")
            + " (setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)) before bind()"
        )
    sock, call = bound[0]
    assert reuse_before(sock, call)[0], (
        f"a new socket bound port {port} again, but without SO_REUSEADDR set before its bind(): the"
        " step is the bind that works at once because of it"
    )


@judges("listen", "accept")
def test_it_accepted_the_talker_on_the_port_again(exercise, token, run):
    conns = on_port(exercise.calls, token, run)
    again = [c for c in conns[1:] if conns[0].listener is not c.listener]
    assert again, (
        f"your server accepted the talker {len(conns)} time(s) on port {value(run, 'port', PORT)}: the new"
        " socket listens and accepts it once more (start_talker(PORT) after listen())"
    )
