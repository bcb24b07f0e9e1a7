"""Lab 13 checks.

The learner's program is a server (lab.toml: serve): step 1's one-client-at-a-time server on
PORT, then step 2's event loop on EVENT_PORT. The checks' own clients, run in the sandbox as root
(python3 -I), talk to it and say what each got back (the service: each line is answered with the
line reversed). The rest is the server's own calls (strace): which accept() came when, the waits
and how many descriptors each woke for, and whether it started a thread or a process.
"""

import json
import re
import shlex
import time

from lab_runner.trace import RECV, address

PORT, EVENT_PORT = 12347, 12348
DELIMITER = "\n"  # the default line end (LAB_DELIMITER)
CLIENTS = 30  # the crowd of step 2, besides one that never sends
WAITS = ("poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait")
FORKS = ("clone", "clone3", "fork", "vfork")
SPIN = 5  # recv() calls that found nothing, per wait, at most (a loop that never sleeps makes thousands)

# The checks' clients, run in the sandbox: python3 -I -c CLIENT MODE NONCE END (the learner's line
# end, LAB_DELIMITER, in hex). One JSON object out.
# pair (step 1): A connects and is answered; B connects and speaks while A stays; A leaves; B?
# crowd (step 2): a silent client first, then CLIENTS more, all connected before any speaks; each
# sends 3 lines cut in pieces, the pieces of all clients shuffled; the first pieces go out to all
# at once (a burst), a few clients are slow (a pause before each piece). Answers are read as they come.
CLIENT = r"""
import json, random, selectors, signal, socket, sys, time
signal.alarm(25)
mode, nonce, end = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
out = {}

def connect(port, patience=0.0):
    deadline = time.monotonic() + patience
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=3)
        except OSError as err:
            if time.monotonic() > deadline:
                out.setdefault("error", f"port {port}: {type(err).__name__}: {err}")
                return None
            time.sleep(0.05)

def answer(c, seconds):
    got, deadline = b"", time.monotonic() + seconds
    while not got.endswith(end) and time.monotonic() < deadline:
        c.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = c.recv(4096)
        except OSError:
            break
        if not data:
            break
        got += data
    return got.decode(errors="replace")

if mode == "pair":
    a = connect(12347, patience=3)
    b = a and connect(12347)
    if a and b:
        out["a_port"], out["b_port"] = a.getsockname()[1], b.getsockname()[1]
        a.sendall(f"first client {nonce}".encode() + end)
        out["a_got"] = answer(a, 3)
        b.sendall(f"second client {nonce}".encode() + end)
        out["b_early"] = answer(b, 1.0)  # while A is still connected
        a.close()
        out["b_got"] = out["b_early"] or answer(b, 3)
        b.close()
elif mode == "crowd":
    rng = random.Random(nonce)
    silent = connect(12348, patience=5)
    crowd = [connect(12348) for _ in range(30)] if silent else []
    if silent and all(crowd):
        out["connected"] = len(crowd)
        lines = [[f"c{i:02d} line{j} {nonce}".encode() for j in range(3)] for i in range(len(crowd))]
        want = [b"".join(l[::-1] + end for l in ls).decode() for ls in lines]
        pieces = []  # (client, piece): each line cut in 3 at random places, in order per client
        for i, ls in enumerate(lines):
            stream = b"".join(l + end for l in ls)
            cuts = sorted(rng.sample(range(1, len(stream)), 8))
            pieces.append([stream[x:y] for x, y in zip([0] + cuts, cuts + [len(stream)])])
        slow = set(rng.sample(range(len(crowd)), 5))
        got = [b"" for _ in crowd]
        sel = selectors.DefaultSelector()
        for i, c in enumerate(crowd):
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ, i)
        def drain(seconds):
            for key, _ in sel.select(seconds):
                try:
                    data = key.fileobj.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                got[key.data] += data
        started = time.monotonic()
        for i in rng.sample(range(len(crowd)), len(crowd)):  # the burst: every first piece at once
            crowd[i].sendall(pieces[i].pop(0))
        order = [i for i in range(len(crowd)) for _ in pieces[i]]
        rng.shuffle(order)
        for i in order:
            drain(0.03 if i in slow else 0.002)
            crowd[i].setblocking(True)
            crowd[i].sendall(pieces[i].pop(0))
            crowd[i].setblocking(False)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(len(g) < len(w) for g, w in zip(got, want)):
            drain(0.05)
        out["seconds"] = round(time.monotonic() - started, 2)
        out["ok"] = sum(g.decode(errors="replace") == w for g, w in zip(got, want))  # exactly its own
        out["answered"] = sum(bool(g) for g in got)
        text = [g.decode(errors="replace") for g in got]
        out["wrong"] = [(i, t, w) for i, (t, w) in enumerate(zip(text, want)) if t != w][:3]
        silent.settimeout(0.05)
        try:
            out["silent_closed"] = silent.recv(1) == b""
        except OSError:
            out["silent_closed"] = False
    for c in [silent, *crowd]:
        if c:
            c.close()
print(json.dumps(out))
"""


def delimiter(run):
    """The learner's line end: run.values["delimiter"] once per-learner values are wired."""
    return getattr(run, "values", {}).get("delimiter", DELIMITER)


def session(workbench, run, mode):
    """The checks' clients' session, once per run and MODE: what they saw."""

    def drive():
        nonce = f"{run.token}-{mode}"
        end = delimiter(run).encode().hex()
        done = workbench.run(f"python3 -I -c {shlex.quote(CLIENT)} {mode} {shlex.quote(nonce)} {end}")
        try:
            seen = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            seen = {"broken": (done.stdout + done.stderr)[-500:]}
        return {**seen, "nonce": nonce}

    return run.once(("clients", mode), drive)


def nobody(seen, port):
    if "broken" in seen:
        return f"the checks' clients failed: {seen['broken']}"
    said = seen.get("error", "")
    if "Refused" in said:
        said = "connection refused: nothing listens there"
    return f"the checks' clients could not connect to 127.0.0.1:{port}: {said}"


def reversed_line(text, run):
    return text[::-1] + delimiter(run)


# --- step 1: one client at a time -----------------------------------------------------------


def test_your_server_answered_a_client(workbench, run):
    seen = session(workbench, run, "pair")
    assert "a_got" in seen, nobody(seen, PORT)
    want = reversed_line(f"first client {seen['nonce']}", run)
    assert seen["a_got"] == want, (
        f"client A sent {'first client ' + seen['nonce'] + delimiter(run)!r} and got {seen['a_got']!r}"
        f" within 3 s; the answer is the line reversed, then the line end: {want!r}"
        + (
            f" (nothing came back: does your server split at your LAB_DELIMITER, {delimiter(run)!r}?)"
            if not seen["a_got"]
            else ""
        )
    )


def accepted_at(calls, port):
    """Where in the trace the server's accept() returned the connection from ('127.0.0.1', PORT)."""
    for n, c in enumerate(calls.calls):
        accepted = c.name in ("accept", "accept4") and c.ret is not None and c.ret >= 0
        if accepted and address(c.args) == ("127.0.0.1", port):
            return n
    return None


def test_a_second_client_waited_until_the_first_left(workbench, live, run):
    seen = session(workbench, run, "pair")
    assert "b_got" in seen, nobody(seen, PORT)
    want = reversed_line(f"second client {seen['nonce']}", run)
    assert not seen["b_early"], (
        f"client B was answered ({seen['b_early']!r}) while client A was still connected: step 1 is the"
        " article's server, which serves one client at a time. Keep the starter's step 1 as it is, and"
        f" write the event loop on port {EVENT_PORT}"
    )
    assert seen["b_got"] == want, (
        f"client A left, and client B (who sent 'second client ...' while A was there) then got"
        f" {seen['b_got']!r}, not {want!r}"
    )
    deadline = time.monotonic() + 3
    while (
        (calls := live().calls) and accepted_at(calls, seen["b_port"]) is None and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    a, b = accepted_at(calls, seen["a_port"]), accepted_at(calls, seen["b_port"])
    assert a is not None and b is not None, (
        f"the trace shows no accept() of client A (port {seen['a_port']}) or B (port {seen['b_port']})"
    )
    conn_a = calls.calls[a].ret
    ends = ("close", "shutdown")
    left = next((n for n, c in enumerate(calls.calls[a:], a) if c.fd == conn_a and c.name in ends), None)
    assert left is not None and left < b, (
        f"your server accept()ed client B (port {seen['b_port']}) before it was done with client A: step 1"
        " is the article's server, one client to its end, then the next"
    )


# --- step 2: one thread, many clients -------------------------------------------------------


def test_a_silent_client_stalled_nobody(workbench, run):
    seen = session(workbench, run, "crowd")
    assert "connected" in seen, nobody(seen, EVENT_PORT)
    assert seen["answered"] > 0, (
        f"a client connected first and never sent anything; then {CLIENTS} more sent their lines, and in"
        f" {seen['seconds']} s none of them got a single answer: your server waited on the silent one"
        " (a recv() on a socket that had nothing, or one client served to its end before the next)."
        " Call recv() only on the sockets select() says are ready"
    )


def test_every_client_got_its_own_answers(workbench, run):
    seen = session(workbench, run, "crowd")
    assert "connected" in seen, nobody(seen, EVENT_PORT)
    assert seen["ok"] == CLIENTS, (
        f"{seen['ok']} of {CLIENTS} clients got exactly their own answers (each line reversed, in"
        f" order) within {seen['seconds']} s; {seen['answered']} got any. For example, client"
        + "".join(f" {i} expected {w!r} and got {g!r}" for i, g, w in seen["wrong"][:1])
        + ". Lines come in pieces, cut anywhere, and clients take turns: keep a buffer per client and"
        f" answer each line once its end ({delimiter(run)!r}, LAB_DELIMITER) has come"
    )


def test_it_ran_in_one_thread_with_no_fork(workbench, live, run):
    seen = session(workbench, run, "crowd")
    assert "connected" in seen, nobody(seen, EVENT_PORT)
    calls = live().calls
    started = [c for c in calls.calls if c.name in FORKS and c.ret is not None and c.ret > 0]
    threads = [c for c in started if "CLONE_THREAD" in c.args]
    assert not started, (
        f"your server started {len(threads)} thread(s) and {len(started) - len(threads)} process(es)"
        f" ({started[0].name}() = {started[0].ret}, the first): this step is one thread serving every"
        " client, with one wait (selectors, select, poll) for all of their sockets"
    )


def served(calls, port):
    """(the calls after the bind to PORT, the server's descriptors there: its listener and every
    connection it accepted), or None when nothing was bound to PORT."""
    bound = [c for c in calls.named("bind") if c.ret == 0 and (address(c.args) or ("", 0))[1:] == (port,)]
    if not bound:
        return None
    after = calls.calls[calls.calls.index(bound[0]) :]
    fds = {bound[0].fd} | {c.ret for c in after if c.name in ("accept", "accept4") and c.ret and c.ret > 0}
    return after, fds


def woke_for(call, fds):
    """How many of the server's sockets CALL, a wait, returned ready (at least: a poll or select
    counts when every descriptor it asked of is a socket; an epoll_wait names the ready ones)."""
    if call.ret is None or call.ret < 2:
        return 0
    if call.name in ("epoll_wait", "epoll_pwait"):
        return sum(int(fd) in fds for fd in re.findall(r"data=\{u32=(\d+)", call.args))
    asked = {int(fd) for fd in re.findall(r"fd=(\d+)", call.args)} if "poll" in call.name else set()
    if call.name in ("select", "pselect6"):
        sets = re.findall(r"\[([\d ]*)\]", call.args.split("{", 1)[0])
        asked = {int(fd) for group in sets for fd in group.split()}
    sockets = all(call.ends.get(fd, "").startswith(("socket:", "TCP")) for fd in asked)
    return call.ret if asked and sockets else 0


def several(calls, port):
    """The waits of the server on PORT that woke for two of its sockets or more (None: no bind)."""
    found = served(calls, port)
    if found is None:
        return None
    after, fds = found
    return [c for c in after if c.name in WAITS and woke_for(c, fds) >= 2]


def test_one_wait_woke_for_several_sockets(workbench, live, run):
    seen = session(workbench, run, "crowd")
    assert "connected" in seen, nobody(seen, EVENT_PORT)
    deadline = time.monotonic() + 3  # the trace reaches us a moment after the calls
    while (found := several(live().calls, EVENT_PORT)) == [] and time.monotonic() < deadline:
        time.sleep(0.1)
    calls = live().calls
    assert found is not None, f"no socket of your program was bound to port {EVENT_PORT}; {calls.story()}"
    after, _ = served(calls, EVENT_PORT)
    waits = [c for c in after if c.name in WAITS]
    again = [c for c in after if c.name in RECV and c.errno == "EAGAIN"]
    assert len(again) <= SPIN * len(waits) + 50, (
        f"your server called recv() {len(again)} times on sockets with nothing to read (EAGAIN) and waited"
        f" only {len(waits)} times: it went round its sockets without sleeping. One wait (selectors,"
        " select, poll) for all of them, then recv() on those it returned"
    )
    assert found, (
        f"the checks' {CLIENTS} clients sent at once, and no wait of your server (poll, select,"
        " epoll_wait) returned two of its sockets ready or more"
        + (
            f": its {len(waits)} waits each returned {sorted({c.ret for c in waits})}"
            if waits
            else ": it made no wait at all (each recv() or accept() blocked on its own socket)"
        )
        + ". One wait for every socket, then serve each one it says is ready"
    )
