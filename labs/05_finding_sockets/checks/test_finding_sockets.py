"""Lab 5 checks: the sockets the exercise really bound, listened on and connected (its socket
calls, recorded by strace), and the files they left, or did not leave, in the workbench."""

from __future__ import annotations

import shlex

from lab_runner.judges import judges

SOCKET_TYPES = ("SOCK_STREAM", "SOCK_SEQPACKET")  # the kinds that listen() and accept()


def path_of(token: str) -> str:
    return f"/tmp/{token}.sock"


def order(calls) -> dict[int, int]:
    """Each call's place in the trace, by identity (two calls can read the same: bind(3, ...) = 0)."""
    return {id(call): n for n, call in enumerate(calls.calls)}


def binds_to(calls, path: str) -> list:
    """Every bind() to PATH, in order, with the socket that made it: [(place, call, socket)]."""
    place = order(calls)
    found = []
    for sock in calls.of("AF_UNIX"):
        for call in sock.made("bind"):
            if f'sun_path="{path}"' in call.args:
                found.append((place[id(call)], call, sock))
    return sorted(found, key=lambda item: item[0])


def bound_and_listening(calls, path: str) -> list:
    """The Unix stream sockets bound to PATH that then listened."""
    return [
        sock
        for _, call, sock in binds_to(calls, path)
        if call.ret == 0 and sock.type in SOCKET_TYPES and any(c.ret == 0 for c in sock.made("listen"))
    ]


def binds_seen(calls) -> str:
    shown = [str(c) for c in calls.named("bind") if "AF_UNIX" in c.args]
    return f"the Unix binds: {shown}" if shown else f"no Unix socket was bound; {calls.story()}"


def abstract_listeners(calls, token: str) -> list:
    """Sockets bound to an abstract name (@...) with the token, that listened."""
    return [
        sock
        for sock in calls.of("AF_UNIX")
        if isinstance(sock.bound, str) and sock.bound.startswith("@") and token in sock.bound
        and sock.type in SOCKET_TYPES and any(c.ret == 0 for c in sock.made("listen"))
    ]  # fmt: skip


def accepted_from(calls, listener) -> list:
    """The connections LISTENER accepted (sockets the trace made from its accept calls)."""
    accepts = {
        id(c) for c in listener.calls if c.name in ("accept", "accept4") and c.ret is not None and c.ret >= 0
    }
    return [s for s in calls.sockets if s.calls and id(s.calls[0]) in accepts]


def connected_to(calls, name: str) -> list:
    """Sockets whose connect() to NAME succeeded."""
    return [
        s for s in calls.of("AF_UNIX")
        if s.peer == name and any(c.ret == 0 for c in s.made("connect"))
    ]  # fmt: skip


# --- step 1 -------------------------------------------------------------------------------------


@judges("bind", "listen")
def test_a_unix_stream_socket_was_bound_to_the_path_and_listened(calls, token):
    path = path_of(token)
    assert bound_and_listening(calls, path), (
        f"no Unix stream socket was bound to {path} and then listened; {binds_seen(calls)}"
    )


def test_the_socket_file_is_in_the_workbench_as_type_s(workbench, calls, token):
    path = path_of(token)
    made = [call for _, call, _ in binds_to(calls, path) if call.ret == 0]
    assert made, f"nothing was bound to {path}, so no file was made there; {binds_seen(calls)}"
    shown = workbench.run(f"ls -l {shlex.quote(path)}")
    assert shown.rc == 0 and shown.stdout.startswith("s"), (
        f"after the run, ls -l {path} in the workbench says: {(shown.stdout or shown.stderr).strip()}"
    )


# --- step 2 -------------------------------------------------------------------------------------


@judges("bind", "error")
def test_binding_the_path_again_after_close_failed_with_eaddrinuse(calls, token):
    path = path_of(token)
    binds = binds_to(calls, path)
    place = order(calls)
    closed_at = [  # the binding process's own close (a child closing its inherited copy does not count)
        place[id(close)]
        for _, call, sock in binds
        if call.ret == 0
        for close in sock.made("close")
        if close.pid == sock.pid
    ]
    refused = [
        (index, call)
        for index, call, _ in binds
        if call.errno == "EADDRINUSE" and any(c < index for c in closed_at)
    ]
    assert refused, (
        f"no bind() to {path} failed with EADDRINUSE after the socket bound there was closed; "
        f"the binds to it: {[str(call) for _, call, _ in binds] or 'none'}"
    )


@judges("bind", "listen")
def test_after_removing_the_file_a_new_socket_bound_the_path(calls, token):
    path = path_of(token)
    binds = binds_to(calls, path)
    refused = [index for index, call, _ in binds if call.errno == "EADDRINUSE"]
    rebound = [
        sock
        for index, call, sock in binds
        if refused and index > refused[0] and call.ret == 0 and sock in bound_and_listening(calls, path)
    ]
    assert rebound, (
        f"no socket bound {path} and listened after a bind() there failed with EADDRINUSE; "
        f"the binds to it: {[str(call) for _, call, _ in binds] or 'none'}"
    )


# --- step 3 -------------------------------------------------------------------------------------


@judges("bind", "listen")
def test_a_socket_was_bound_to_an_abstract_name_with_the_token(calls, token):
    # A file named "@..." is the look-alike: ss shows an abstract name with "@", but bind() made
    # a file there (strace: sun_path="@...", the quote first; the trace reads it "./@...").
    files = [str(s.bound) for s in calls.of("AF_UNIX") if str(s.bound).startswith("./@") and token in s.bound]
    assert abstract_listeners(calls, token), (
        (
            f"{files} is a file whose name starts with @, not an abstract name: an abstract name starts"
            ' with a NUL byte, "\\0name" (ss and /proc/net/unix show that NUL as @). '
            if files
            else ""
        )
        + ("No" if files else "no")
        + ' Unix stream socket was bound to an abstract name (strace shows sun_path=@"...") with '
        f"this run's token, and listened; {binds_seen(calls)}"
    )


def test_a_second_socket_connected_to_that_name(calls, token):
    names = [sock.bound for sock in abstract_listeners(calls, token)]
    assert names, "no socket listened on an abstract name with the token, so none could be connected to"
    assert any(connected_to(calls, name) for name in names), (
        f"no connect() to {names} succeeded; "
        f"the connects: {[str(c) for c in calls.named('connect')] or 'none'}"
    )


def test_a_message_with_the_token_went_through_the_connection(calls, token):
    tried = []
    for listener in abstract_listeners(calls, token):
        ends = [(c, a) for c in connected_to(calls, listener.bound) for a in accepted_from(calls, listener)]
        for one, other in ends + [(a, c) for c, a in ends]:
            sent = b"".join(one.sent)
            got = b"".join(other.received)
            tried.append(f"sent {sent[:80]!r}, the other end received {got[:80]!r}")
            if token.encode() in sent and token.encode() in got:
                return
    raise AssertionError(
        "no message with this run's token was sent on one end of a connection to the abstract name "
        f"and received on the other: {tried or 'no connection was both connected and accepted'}; "
        + calls.story()
    )


def test_no_file_of_that_name_is_in_the_workbench(workbench, calls, token):
    names = [sock.bound[1:] for sock in abstract_listeners(calls, token)]
    assert names, "no socket was bound to an abstract name with the token, so there is nothing to look for"
    named = {
        sock.bound for sock in calls.of("AF_UNIX") if isinstance(sock.bound, str) and sock.bound[:1] == "/"
    }
    for name in names:
        if name in named:
            continue  # the same name was also bound as a file (step 1's): that file is not this one's
        base = name.rsplit("/", 1)[-1] or name
        found = workbench.run(
            f"find /tmp /dev/shm -name {shlex.quote(base)} 2>/dev/null; "
            f"test -e {shlex.quote(name)} && echo {shlex.quote(name)}"
        ).stdout.split()
        assert not found, f"the abstract name @{name} has a file after all: {found}"
