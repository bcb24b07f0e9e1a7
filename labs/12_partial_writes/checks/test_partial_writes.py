"""Lab 12 checks.

The learner's program is a server (lab.toml: serve): it listens on PORT in its sandbox and sends
its payload to whoever connects. The reader is the checks' own: a client run in the sandbox as
root (python3 -I), with a small receive buffer, that waits before it reads and then reads slowly,
so that the server's send buffer fills. It says what arrived, byte for byte, against the payload
it expects (this run's token and line count). The rest is the server's own socket calls (strace):
the short send, EAGAIN, and how it waited (lab_runner/trace.py).
"""

import json
import re
import shlex
import time

PORT = 12346
LINES = 6000  # the default: run.values["lines"] once per-learner values are wired
AGAIN = 3  # EAGAINs retried with no wait between, at most: a program that retries once or twice is fine

# The checks' reader, run in the sandbox: python3 -I -c READER TOKEN LINES PORT. It connects with a
# small receive buffer, reads nothing for HOLD s (the server's send buffer fills: its send() takes
# less than asked, then says EAGAIN), then reads 4 KiB at a time with a pause, until the end of the
# stream (or QUIET s of silence once it has all it expects). It prints one JSON object.
READER = r"""
import json, signal, socket, sys, time
signal.alarm(25)
token, lines, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
want = b"".join(f"{n:06d} {token}\n".encode() for n in range(lines))
HOLD, PAUSE, QUIET, SILENT = 0.5, 0.002, 1.0, 5.0
out = {"want": len(want)}
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
try:
    c.settimeout(3)
    c.connect(("127.0.0.1", port))
except OSError as err:
    print(json.dumps({**out, "error": f"{type(err).__name__}: {err}"}))
    sys.exit()
out["port"] = c.getsockname()[1]
time.sleep(HOLD)
got, ended, started = bytearray(), "", time.monotonic()
while True:
    c.settimeout(QUIET if len(got) >= len(want) else SILENT)
    try:
        data = c.recv(4096)
    except socket.timeout:
        ended = "quiet"
        break
    except OSError as err:
        ended = type(err).__name__
        break
    if not data:
        ended = "eof"
        break
    got += data
    if len(got) > 4 * len(want):
        ended = "too much"
        break
    time.sleep(PAUSE)
out.update(got=len(got), ended=ended, seconds=round(time.monotonic() - started, 3))
out["same"] = bytes(got) == want
if not out["same"]:
    at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    out["at"] = at
    out["line"] = want.rfind(b"\n", 0, at) + 1  # where the expected line holding byte AT starts
    out["there"] = bytes(got[out["line"] : at + 40]).decode("latin-1")
    out["expected"] = want[out["line"] : at + 40].decode("latin-1")
    out["restart"] = got.find(want[:32], max(1, at - 16), at + 32) != -1  # the payload again, from its start
print(json.dumps(out))
"""


def lines_of(run):
    return int(getattr(run, "values", {}).get("lines", LINES))


def reader(workbench, run):
    """The checks' reader's session, once per run: what it got, and how it ended."""

    def drive():
        args = f"{shlex.quote(run.token)} {lines_of(run)} {PORT}"
        done = workbench.run(f"python3 -I -c {shlex.quote(READER)} {args}")
        try:
            return json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"broken": (done.stdout + done.stderr)[-500:]}

    return run.once("reader", drive)


def settled(live, run):
    """The server's trace once the reader is done, once per run: when it ended, or 3 s later (the
    trace reaches us a moment after the calls; a server that goes on serving has made them)."""

    def wait():
        deadline = time.monotonic() + 3
        while (ran := live()).exit_code is None and time.monotonic() < deadline:
            time.sleep(0.1)
        return ran

    return run.once("settled", wait)


def conn_of(calls, seen):
    """The server's connection to the checks' reader: the socket accept() made for its port."""
    port = seen.get("port")
    for sock in calls.sockets:
        first = sock.calls[0]
        if first.name in ("accept", "accept4") and sock.peer and port and sock.peer[1] == port:
            return sock
    return None


def no_reader(seen, calls):
    if "error" in seen:
        why = "nothing listens there" if "Refused" in seen["error"] else seen["error"]
        return f"the checks' reader could not connect to 127.0.0.1:{PORT}: {why}; {calls.story()}"
    if "broken" in seen:
        return f"the checks' reader failed: {seen['broken']}"
    return (
        f"the checks' reader connected from port {seen.get('port')}, but your server's trace shows no"
        f" accept() of it; {calls.story()}"
    )


def asked(call):
    """How many bytes a send call was given (its length argument; a vector's iov_len summed)."""
    if call.name == "sendfile":  # sendfile(out, in, offset, COUNT)
        return int(call.args.rsplit(",", 1)[-1])
    lens = re.findall(r"iov_len=(\d+)", call.args)
    if lens:
        return sum(map(int, lens))
    found = re.search(r'"(?:[^"\\]|\\.)*"(?:\.\.\.)?, (\d+)', call.args)
    return int(found.group(1)) if found else None


SENDS = {"sendto", "send", "sendmsg", "write", "writev", "pwrite64", "pwritev", "pwritev2", "sendfile"}


def sends(sock):
    return [c for c in sock.calls if c.name in SENDS and c.ret is not None]


def short(call):
    n = asked(call)
    return call.ret >= 0 and n is not None and call.ret < n


# --- step 1: the experiment ------------------------------------------------------------------


def test_your_server_accepted_the_reader(workbench, live, run):
    seen = reader(workbench, run)
    calls = settled(live, run).calls
    assert conn_of(calls, seen), no_reader(seen, calls)


def test_a_send_took_less_than_it_was_given(workbench, live, run):
    seen = reader(workbench, run)
    calls = settled(live, run).calls
    sock = conn_of(calls, seen)
    assert sock, no_reader(seen, calls)
    done = [c for c in sends(sock) if c.ret >= 0]
    assert done, f"your server sent nothing to the reader; the calls on that connection: {calls_on(sock)}"
    assert any(short(c) for c in done), (
        "every send() took all it was given: "
        + ", ".join(f"{asked(c)} asked, {c.ret} taken" for c in done[:4])
        + ". With a small send buffer (SO_SNDBUF 4096, before the first send) and a non-blocking"
        " socket, send() takes only what fits"
    )


def test_then_send_said_eagain(workbench, live, run):
    seen = reader(workbench, run)
    calls = settled(live, run).calls
    sock = conn_of(calls, seen)
    assert sock, no_reader(seen, calls)
    assert any(c.errno == "EAGAIN" for c in sends(sock)), (
        "no send() on the reader's connection failed with EAGAIN (BlockingIOError): on a blocking socket"
        " send() waits for room instead; setblocking(False), then send() again right after a short one;"
        f" the sends: {[str(c)[-40:] for c in sends(sock)][:6]}"
    )


def calls_on(sock):
    return [f"{c.name}() = {c.ret}" + (f" {c.errno}" if c.errno else "") for c in sock.calls][:10]


# --- step 2: the loop sendall() hides ---------------------------------------------------------


def test_every_byte_arrived_in_order(workbench, live, run):
    seen = reader(workbench, run)
    if "want" not in seen or "error" in seen:
        raise AssertionError(no_reader(seen, live().calls))
    if seen["same"]:
        return
    got, want, at = seen["got"], seen["want"], seen["at"]
    there, expected = seen["there"], seen["expected"]
    if got < want and at == got:
        raise AssertionError(
            f"only {got:,} of the {want:,} bytes arrived, then the connection {ended(seen)}: the rest"
            " was never sent. send() returns how many bytes it took; keep sending payload[sent:] until"
            " sent == len(payload)"
        )
    lost = f"at byte {at:,} the reader expected {expected[:30]!r} and got {there[:30]!r}"
    if seen.get("restart"):
        raise AssertionError(
            f"{lost}: the stream starts over from the payload's first line. After a short send, send"
            " the rest, payload[sent:], not the whole payload again"
        )
    raise AssertionError(
        f"{lost} ({got:,} bytes arrived of {want:,}): bytes were lost or repeated. send() returns how"
        " many it took: bytes past that count did not go out, so add exactly that to `sent`"
    )


def ended(seen):
    return {"eof": "ended (your server closed it)", "quiet": "went quiet for 5 s"}.get(
        seen.get("ended"), f"broke ({seen.get('ended')})"
    )


WAITS = ("poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait")


def inode(sock):
    """The socket's kernel name (strace -y: 'socket:[81234]'): the same, whichever descriptor or
    process reaches it (a dup(), a child)."""
    return next((c.ends[sock.fd] for c in sock.calls if sock.fd in c.ends), None)


def story(calls, sock):
    """SOCK's sends and mode changes, and the waits for it to be writable, in order, by any of its
    descriptors in any process: (kind, call), kind one of "send", "mode", "wait", "python" (a wait
    shaped like the one Python makes itself)."""
    name, epolls, told = inode(sock), set(), []
    start = calls.calls.index(sock.calls[0])

    def on_it(c, fd):
        return fd.isdigit() and (int(fd) == sock.fd if name is None else c.ends.get(int(fd)) == name)

    for c in calls.calls[start:]:
        first = c.args.split(",", 1)[0].strip()
        if c.name == "epoll_ctl":
            added = re.match(r"(\d+), EPOLL_CTL_(ADD|MOD|DEL), (\d+), (.*)", c.args)
            if added and on_it(c, added.group(3)):
                key = int(added.group(1))  # the epoll's descriptor
                (epolls.add if added.group(2) != "DEL" and "EPOLLOUT" in added.group(4) else epolls.discard)(
                    key
                )
            continue
        if on_it(c, first) and c.name not in WAITS:
            if c.name in SENDS and c.ret is not None:
                told.append(("send", c))
            elif c.name in ("ioctl", "fcntl") and re.search(r"FIONBIO|F_SETFL", c.args):
                told.append(("mode", c))
            continue
        if c.name not in WAITS or not c.ret:  # a wait that timed out saw nothing writable
            continue
        if c.name in ("poll", "ppoll"):
            polled = [(f, e) for f, e in re.findall(r"\{fd=(\d+), events=([A-Z|]+)\}", c.args) if on_it(c, f)]
            if not any("POLLOUT" in e for _, e in polled):
                continue
            alone = len(re.findall(r"\{fd=", c.args.split("]", 1)[0])) == 1
            python = c.name == "poll" and alone and polled[0][1] == "POLLOUT" and timed(c)
            told.append(("python" if python else "wait", c))
        elif c.name in ("select", "pselect6"):
            sets = re.match(r"\d+, (NULL|\[[\d ]*\]), (NULL|\[[\d ]*\])", c.args)
            if sets and any(on_it(c, fd) for fd in sets.group(2).strip("[]").split()):
                told.append(("wait", c))
        elif c.fd in epolls:
            told.append(("wait", c))
    return told


def timed(call):
    """A poll() with a timeout (0 ms or more): the shape of Python's own wait under settimeout()."""
    return call.args.rsplit(",", 1)[-1].strip().isdigit()


def own_waits(told):
    """The waits that are the program's own. A poll() of that one descriptor for POLLOUT with a
    timeout is what Python does itself inside send()/sendall() on a socket with a settimeout():
    poll first, then send. It counts as the program's own only right after a send() that failed
    with EAGAIN and was not itself right after a wait (the program tried, then waited: Python's
    timeout machinery waits first)."""
    own = []
    for n, (kind, _) in enumerate(told):
        tried = n >= 1 and told[n - 1][0] == "send" and told[n - 1][1].errno == "EAGAIN"
        waited_first = n >= 2 and told[n - 2][0] in ("wait", "python")
        if kind == "wait" or (kind == "python" and tried and not waited_first):
            own.append(n)
    return own


def blocking(call):
    """CALL makes the socket blocking again: ioctl(FIONBIO, [0]), or F_SETFL without O_NONBLOCK."""
    if call.name == "ioctl":
        return "FIONBIO, [0]" in call.args
    return "F_SETFL" in call.args and "O_NONBLOCK" not in call.args


def test_it_waited_until_the_socket_was_writable(workbench, live, run):
    seen = reader(workbench, run)
    calls = settled(live, run).calls
    sock = conn_of(calls, seen)
    assert sock, no_reader(seen, calls)
    told = story(calls, sock)
    first_short = next((n for n, (k, c) in enumerate(told) if k == "send" and short(c)), None)
    assert first_short is not None, (
        "no send() took less than it was given (step 1), so there was nothing to wait for"
    )
    after = told[first_short:]
    made_blocking = [c for k, c in after if k == "mode" and blocking(c)]
    if made_blocking:
        last = [c for k, c in after if k == "send"][-1]
        raise AssertionError(
            f"after the short send your program made the socket blocking again ({made_blocking[0]}) and"
            f" sent the rest that way (its last send: {asked(last)} bytes asked, {last.ret} taken): the"
            " kernel did the waiting, inside send(), as sendall() does. Keep the socket non-blocking and"
            " wait yourself: selectors, select.select or select.poll asking for writing"
        )
    own = own_waits(told)
    progress = [n for n in own if any(k == "send" and c.ret > 0 for k, c in told[n + 1 :])]
    if progress:
        return
    pythons = [c for k, c in after if k == "python"]
    if pythons:
        raise AssertionError(
            f"the only waits the trace shows are the one Python makes itself inside send() and sendall()"
            f" on a socket with a settimeout(): a poll(POLLOUT) of that one descriptor, with a timeout,"
            f" before every send ({len(pythons)} of them, the first: {pythons[0]}). This step is that loop"
            " written by you: setblocking(False), send(), and on BlockingIOError wait with selectors,"
            " select.select, or select.poll (a poll() with no timeout is always yours)"
        )
    again = sum(c.errno == "EAGAIN" for k, c in after if k == "send")
    raise AssertionError(
        f"no wait for the reader's connection to become writable: no poll, select or epoll_wait asking"
        f" for writing on fd {sock.fd} after the short send"
        + (f"; send() said EAGAIN {again} times and was called again at once" if again > 1 else "")
        + (f"; {sum(1 for k, c in after if k == 'send')} sends in all" if after else "")
    )


def test_it_did_not_retry_without_waiting(workbench, live, run):
    seen = reader(workbench, run)
    calls = settled(live, run).calls
    sock = conn_of(calls, seen)
    assert sock, no_reader(seen, calls)
    told = story(calls, sock)
    first = next((n for n, (k, c) in enumerate(told) if k == "send" and c.errno == "EAGAIN"), None)
    assert first is not None and any(k == "send" and c.ret > 0 for k, c in told[first:]), (
        "your program never sent again after send() said EAGAIN: there is no retry to judge yet"
        if first is not None
        else "no send() on the reader's connection said EAGAIN (step 1): there is no retry to judge"
    )
    unwaited, eagains = 0, 0
    for n, (kind, call) in enumerate(told):
        if kind == "send" and call.errno == "EAGAIN":
            eagains += 1
            nxt = next((k for k, _ in told[n + 1 :] if k in ("send", "wait", "python")), None)
            unwaited += nxt == "send"
    assert unwaited <= AGAIN, (
        f"send() said EAGAIN {eagains} times, and {unwaited} times your program called send() again"
        " without waiting in between: it spun (a sleep between tries is no wait either: the reader may"
        " make room at once, or not for long). After BlockingIOError, wait until the socket is"
        " writable (selectors, select.select, select.poll), then send the rest"
    )
