"""Lab 7 checks: the exercise's Unix stream sockets as strace recorded them (who bound, who
connected, which process sent and which received), and the socket file left in the workbench."""

import re
import shlex

from lab_runner.judges import judges
from lab_runner.trace import RECV, SEND, Trace  # every call that moves bytes: writev, readv...

FORKS = ("clone", "clone3", "fork", "vfork")
# strace shows the struct ucred it read: whole ({pid=1, uid=2, gid=3}) or as much as the buffer
# held (a 4-byte buffer: {pid=1} alone); the pid is the lesson, so either form counts.
PEERCRED = re.compile(r"SO_PEERCRED,\s*\{pid=(\d+)(?:, uid=\d+(?:, gid=\d+)?)?\}")


def followed(calls):
    """The trace with each fork() placed before its child's first call.

    strace can show a child's first calls before the parent's fork() returns (the parent's line
    then ends in <unfinished ...> and resumes later); Trace copies the parent's sockets to the
    child at the fork's line, so the child would lose them. The parent makes no call between
    the fork's start and its end, so moving it up to the child's first call is safe.
    """
    order = list(calls.calls)
    for fork in [c for c in order if c.name in FORKS and c.ret]:
        first = next((i for i, c in enumerate(order) if c.pid == fork.ret), None)
        here = next(i for i, c in enumerate(order) if c is fork)
        if first is not None and first < here:
            order.insert(first, order.pop(here))
    return Trace(order, calls.exits)


def processes(calls):
    """pid -> the process it belongs to: a thread (clone with CLONE_THREAD) counts as its process."""
    owner = {c.ret: c.pid for c in calls.calls if c.name in FORKS and c.ret and "CLONE_THREAD" in c.args}

    def top(pid):
        while pid in owner:
            pid = owner[pid]
        return pid

    return {pid: top(pid) for pid in calls.pids}


def path_of(token):
    return f"/tmp/{token}.sock"


def listeners(calls, token):
    """The Unix stream sockets bound to this run's path that listened."""
    return [
        s
        for s in calls.of("AF_UNIX", "SOCK_STREAM")
        if s.bound == path_of(token) and any(c.ret == 0 for c in s.made("listen"))
    ]


def clients(calls, token):
    """The Unix stream sockets that connected to this run's path: (socket, the connect call)."""
    return [
        (s, c)
        for s in calls.of("AF_UNIX", "SOCK_STREAM")
        for c in s.made("connect")
        if c.ret == 0 and s.peer == path_of(token)
    ]


def accepted(calls, listener):
    """The connections accept() returned on LISTENER."""
    mine = {id(c) for c in listener.calls}
    return [s for s in calls.sockets if s.calls[0].name.startswith("accept") and id(s.calls[0]) in mine]


def by(sock, names, token=None):
    """SOCK's successful calls among NAMES (that carried TOKEN, if given)."""
    return [
        c
        for c in sock.calls
        if c.name in names and c.ret is not None and c.ret > 0 and (token is None or token.encode() in c.data)
    ]


# --- step 1: a named socket, and a second process that finds it by name --------------------


@judges("bind", "listen")
def test_a_server_bound_the_socket_file_and_listened(calls, token):
    calls = followed(calls)
    found = listeners(calls, token)
    assert found, (
        f"no AF_UNIX, SOCK_STREAM socket was bound to {path_of(token)} and listened; {calls.story()}"
    )


def test_another_process_connected_to_that_file(calls, token):
    calls = followed(calls)
    servers = listeners(calls, token)
    assert servers, f"nothing listened on {path_of(token)}, so nothing could connect to it; {calls.story()}"
    process = processes(calls)
    server_pids = {process[c.pid] for s in servers for c in s.made("bind")}
    connected = clients(calls, token)
    assert connected, f"no AF_UNIX, SOCK_STREAM socket connected to {path_of(token)}; {calls.story()}"
    others = [c.pid for _, c in connected if process[c.pid] not in server_pids]
    assert others, (
        f"only the server's own process (pid {sorted(server_pids)}) connected to {path_of(token)}"
        " (or a thread of it): start the client as a second process, e.g. with subprocess"
    )


def test_the_token_went_from_the_client_process_to_the_server(calls, token):
    calls = followed(calls)
    sent = [c.pid for s, _ in clients(calls, token) for c in by(s, SEND, token)]
    assert sent, (
        f"no connection to {path_of(token)} sent bytes with this run's token; "
        f"what the clients sent: {[s.sent for s, _ in clients(calls, token)]}"
    )
    conns = [conn for listener in listeners(calls, token) for conn in accepted(calls, listener)]
    assert conns, f"the server never accepted a connection on {path_of(token)}; {calls.story()}"
    process = processes(calls)
    received = {process[c.pid] for conn in conns for c in by(conn, RECV)}
    data = b"".join(d for conn in conns for d in conn.received)
    assert token.encode() in data, (
        f"the server's accepted connection(s) received {data[:300]!r}, without this run's token"
    )
    assert received - {process[pid] for pid in sent}, (
        "the same process sent and received the token (a thread is not a second process): use two processes"
    )


def test_the_socket_file_is_still_in_the_workbench(workbench, token):
    path = path_of(token)
    f = workbench.file(path)
    assert f.exists, (
        f"{path} is not in the workbench after the run: bind() makes it; nothing should remove it"
    )
    listing = workbench.run(f"ls -l {shlex.quote(path)}").stdout.strip()
    assert f.is_socket and listing.startswith("s"), f"{path} is there but is not a socket: {listing}"


# --- step 2: SO_PEERCRED ------------------------------------------------------------------


def peercreds(calls, token):
    """(the getsockopt call, the pid it reported) on connections accepted from this run's listener."""
    found = []
    for listener in listeners(calls, token):
        for conn in accepted(calls, listener):
            for c in conn.made("getsockopt"):
                if c.ret == 0 and (m := PEERCRED.search(c.args)):
                    found.append((c, int(m.group(1))))
    return found


def test_the_server_asked_the_kernel_who_connected(calls, token):
    calls = followed(calls)
    asked = peercreds(calls, token)
    conns = [conn for listener in listeners(calls, token) for conn in accepted(calls, listener)]
    own = {id(c) for conn in conns for c in conn.calls}
    tried = [str(c) for conn in conns for c in conn.made("getsockopt") if "SO_PEERCRED" in c.args]
    elsewhere = [
        str(c) for c in calls.named("getsockopt") if "SO_PEERCRED" in c.args and id(c) not in own
    ]  # fmt: skip
    said = []
    if tried:  # on the right descriptor, but with no answer that names a pid
        said.append(f"asked on the accepted connection, with no pid in the answer: {tried}")
    if elsewhere:
        said.append(f"asked on another socket than a connection accepted from {path_of(token)}: {elsewhere}")
    assert asked, (
        f"no getsockopt(SOL_SOCKET, SO_PEERCRED) on a connection accepted from {path_of(token)} named a pid; "
        + ("; ".join(said) if said else calls.story())
    )


def test_the_kernel_named_the_client_process(calls, token):
    calls = followed(calls)
    asked = peercreds(calls, token)
    assert asked, "no SO_PEERCRED answer on the server's connection (the check before), so nothing to compare"
    process = processes(calls)
    connecting = sorted({process[c.pid] for _, c in clients(calls, token)})
    named = sorted({pid for _, pid in asked})
    assert any(pid in connecting and pid != process[c.pid] for c, pid in asked), (
        f"SO_PEERCRED named pid {named}; the process(es) that connected to {path_of(token)}: {connecting}"
    )


# --- step 3: an unnamed pair across fork() --------------------------------------------------


def pairs(calls):
    """(end a, end b) of every AF_UNIX SOCK_STREAM socketpair, with the fork's children followed."""
    found, seen = [], set()
    for end in calls.of("AF_UNIX", "SOCK_STREAM"):
        if end.pair is not None and id(end.pair) not in seen:
            seen.add(id(end))
            found.append((end, end.pair))
    return found


def crossings(calls, token, one, other, carrying=None):
    """(sender pid, receiver pid) where a process sent on ONE and another process received on OTHER."""
    process = processes(calls)
    senders = {process[c.pid] for c in by(one, SEND, carrying)}
    receivers = {process[c.pid] for c in by(other, RECV, carrying)}
    return [(s, r) for s in senders for r in receivers if s != r]


def test_a_socketpair_was_made(calls):
    calls = followed(calls)
    made = [str(c) for c in calls.named("socketpair")]
    assert pairs(calls), "no socketpair(AF_UNIX, SOCK_STREAM, ...) was made" + (
        f"; these socketpair() calls were: {made}" if made else f"; {calls.story()}"
    )


def test_the_token_crossed_the_pair_from_one_process_to_another(calls, token):
    calls = followed(calls)
    found = pairs(calls)
    assert found, "no socketpair was made (the check before), so nothing could cross it"
    for a, b in found:
        if crossings(calls, token, a, b, token) or crossings(calls, token, b, a, token):
            return
    seen = [(a.sent, b.received, b.sent, a.received) for a, b in found]
    forks = [str(c) for c in calls.calls if c.name in FORKS]
    raise AssertionError(
        "no process sent the token on one end of the pair while another process received it on the other;"
        f" sent/received on the ends: {seen}; forks: {forks or 'none'}"
    )


@judges("recv")
def test_an_answer_came_back_through_the_pair(calls, token):
    calls = followed(calls)
    for a, b in pairs(calls):
        for one, other in ((a, b), (b, a)):
            for sender, receiver in crossings(calls, token, one, other, token):
                if (receiver, sender) in crossings(calls, token, other, one):
                    return
    raise AssertionError(
        "the process that received the token sent nothing back that the first process received;"
        f" {calls.story()}"
    )
