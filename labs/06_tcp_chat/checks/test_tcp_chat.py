"""Lab 6 checks.

Steps 1 and 2 (the client): the exercise's own socket calls (strace) and the chat server's log
in the chat container. Steps 3 and 4 (the learner's server, which runs in the workbench while
these checks do): the checks' own clients, run in the workbench, connect to it and report what
they saw; the kernel's socket table (ss) and /proc; and the server's socket calls so far.
"""

import json
import re
import shlex
import time

from lab_runner.evidence import ip_of, lines_of, per_run, wait_lines
from lab_runner.judges import judges
from lab_runner.loglines import chat_sent
from lab_runner.services import log_of
from lab_runner.trace import RECV, address

LOG = log_of("chat")  # named in messages
SENT = "This is what the client sent: "
PORT = 12345
# A server that waits for clients sleeps. Busier than this, per second, after a client left, it spins:
SPIN = 0.25  # seconds of CPU (strace slows a spinning loop down, so its CPU time alone may look low)
WAKEUPS = 500  # times it went to sleep and woke up (a traced process sleeps at each traced call)

# The checks' own client, run in the workbench: python3 -I -c CLIENT MODE NONCE (-I: nothing is
# imported from a working directory or the environment, which the exercise could write). It
# prints one JSON object: what happened. Every wait is bounded (3 s), and the whole script at most 12 s.
CLIENT = r"""
import json, os, re, signal, socket, subprocess, sys, time
signal.alarm(12)
mode, nonce = sys.argv[1], sys.argv[2]
PORT = 12345
out = {}

def listener():
    # The listening socket's row: with -l, Recv-Q is how many connections wait to be accept()ed;
    # -e adds the uid of its owner.
    row = subprocess.run(["ss", "-Htlne", f"sport = :{PORT}"], capture_output=True, text=True).stdout
    return row.split()

def waiting():
    row = listener()
    return int(row[1]) if len(row) > 1 else 0

def all_accepted():
    deadline = time.monotonic() + 3
    while waiting() > 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    return waiting() == 0

def connect(name):
    try:
        c = socket.create_connection(("127.0.0.1", PORT), timeout=3)
    except OSError as err:
        out[name + "_error"] = f"{type(err).__name__}: {err}"
        return None
    out[name + "_port"] = c.getsockname()[1]
    return c

def read_until(c, text, seconds=3):
    # At most 64 KiB: the learner's server decides what it sends, and what this prints is read by
    # lab_runner as a whole.
    got, deadline = b"", time.monotonic() + seconds
    while text.encode() not in got and time.monotonic() < deadline and len(got) < 65536:
        c.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = c.recv(4096)
        except OSError:
            break
        if not data:
            break
        got += data
    return got[:65536].decode(errors="replace")

def said_to(sender, hearer, text):
    # What HEARER got while SENDER said TEXT, up to 3 times 1 s apart: an accepted client may not
    # be in the room yet (a thread per client joins it when the thread starts), and a line said
    # before a client joined is rightly not passed to it. A server that never passes lines on
    # still fails all three.
    got = ""
    for _ in range(3):
        try:
            sender.sendall(f"{text}\n".encode())
        except OSError:
            break
        got += read_until(hearer, text, 1)
        if text in got:
            break
    return got

def busy(uid):
    # For every process of UID (a server, and any child it forked): its CPU time (utime + stime,
    # in seconds), and how often its threads went to sleep (voluntary context switches: under
    # strace, a process stops twice at each traced call, so a loop of recv() shows up here).
    cpu = switches = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid != uid:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/status") as f:
                    switches += sum(int(line.split()[1]) for line in f if line.startswith("voluntary_ctxt"))
        except (OSError, IndexError, ValueError):
            pass
    return cpu, switches

def gone(port):
    # The server's end of the connection from PORT has been closed (no row left for it). A server
    # that closes does so in milliseconds; 2 s leaves room for a loaded machine.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        rows = subprocess.run(["ss", "-Htn", f"sport = :{PORT} and dport = :{port}"],
                              capture_output=True, text=True).stdout.strip()
        if not rows:
            return True
        time.sleep(0.02)
    return False

if mode == "one":
    a = connect("a")
    if a:
        out["accepted"] = all_accepted()
        a.sendall(f"hello from the check's client, {nonce}\n".encode())
        a.close()
elif mode == "leave":
    found = re.search(r"\buid:(\d+)", " ".join(listener()))
    a = connect("a")
    if a and found:
        out["accepted"] = all_accepted()
        a.sendall(f"a line before leaving, {nonce}\n".encode())
        a.close()
        out["closed_by_server"] = gone(out["a_port"])
        uid = int(found.group(1))
        before, start = busy(uid), time.monotonic()
        time.sleep(0.5)  # a spinning server shows it within this; the figures are per second
        after = busy(uid)
        out["seconds"] = time.monotonic() - start
        out["cpu"], out["sleeps"] = after[0] - before[0], after[1] - before[1]
elif mode == "two":
    a, b = connect("a"), connect("b")
    if a and b:
        out["accepted"] = all_accepted()
        out["b_got"] = said_to(a, b, f"A says {nonce}")
        out["a_got"] = said_to(b, a, f"B says {nonce}")
    for c in (a, b):
        if c:
            c.close()
print(json.dumps(out))
"""


def client_run(workbench, run, mode):
    """Run the checks' client in the workbench once per RUN and MODE; what it saw, and its nonce
    (the run keeps it: two checks judge one session)."""

    def drive():
        nonce = f"{run.token}-{mode}"
        done = workbench.run(f"python3 -I -c {shlex.quote(CLIENT)} {mode} {shlex.quote(nonce)}")
        try:
            seen = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            seen = {"broken": (done.stdout + done.stderr)[-500:]}
        return {**seen, "nonce": nonce}

    return run.once(("client", mode), drive)


def no_client(seen, what="the check's client"):
    """Why the checks' client got nowhere, in words."""
    said = []
    for who in ("a", "b"):
        err = seen.get(who + "_error", "")
        if "Refused" in err:
            said.append(f"client {who.upper()}: connection refused (nothing listens on port {PORT})")
        elif "timed out" in err:
            said.append(
                f"client {who.upper()}: connect() timed out (your server's listen queue was full: it was not"
                " accept()ing any more)"
            )
        elif err:
            said.append(f"client {who.upper()}: {err}")
    return f"{what} could not connect to 127.0.0.1:{PORT}: " + ("; ".join(said) or str(seen))


def settled(live):
    """What the exercise did so far, once its client part is over: it listens, or it ended (2 s at most)."""
    deadline = time.monotonic() + 2
    while True:
        ran = live()
        if ran.exit_code is not None or ran.calls.named("listen") or time.monotonic() > deadline:
            return ran
        time.sleep(0.05)


# --- steps 1 and 2: the client --------------------------------------------------------------


def addresses(workbench):
    """The IPv4 addresses of the chat server (as the workbench resolves 'chat') and of the
    workbench, asked once per run."""

    def ask():
        chat = workbench.run("getent ahostsv4 chat").stdout.split()
        return (chat[0] if chat else "?", ip_of(workbench))

    return per_run(workbench, "addresses", ask)


def to_chat(calls, workbench, token, sent=True):
    """The exercise's TCP connections to the chat server (those that sent TOKEN, unless not SENT)."""
    server = (addresses(workbench)[0], PORT)
    socks = [s for s in calls.learners() if s.type == "SOCK_STREAM" and s.peer == server]
    if sent:
        socks = [s for s in socks if any(token.encode() in data for data in s.sent)]
    return socks


def sends(sock):
    """(bytes, whole) for each send on SOCK; whole is False when strace kept only the first 256 bytes."""
    done = [c for c in sock.calls if c.name in ("sendto", "sendmsg", "write") and c.ret]
    return [(c.data, len(c.data) >= (c.ret or 0)) for c in done]


def heard(chat, token, count=1):
    """What the chat server logged as received, for the lines with this run's token."""
    lines = wait_lines(chat, token, count=count)
    return [said[1] for line in lines if (said := chat_sent(line))]


def workbench_ends_open_at(log, token, me):
    """The workbench's connections ('ip', port) the chat server had open while this run's lines arrived."""
    mine = [i for i, line in enumerate(log) if (said := chat_sent(line)) and token in said[1]]
    if not mine:
        return []
    ends: set[str] = set()
    for number, line in enumerate(log[: mine[-1]]):
        if found := re.search(rf"Accepted connection from: (\('{re.escape(me)}', \d+\))", line):
            if number < mine[0]:
                ends.add(found.group(1))
        elif found := re.search(r"Connection closed: (\('[0-9.]+', \d+\))", line):
            ends.discard(found.group(1))
    return sorted(ends)


def reset_note(chat, workbench, token, sock):
    """Why lines may be missing: the chat log says this connection broke (an RST), if it does."""
    me = addresses(workbench)[1]
    why = (
        "your client closed its socket with bytes still unread on it (the server's greeting), so the kernel"
        " reset the connection (RST) instead of ending it (FIN). shutdown(SHUT_WR), then recv() until it"
        " returns b'' (the server's end), then close() ends it cleanly"
    )
    ends = [address(c.args) for c in sock.made("getsockname") if c.ret == 0]
    for end in ends:
        broke = wait_lines(chat, f"Connection from {end!r} broke", timeout=0) if end else []
        if broke:
            return f". The chat log says {broke[0]!r}: {why}"
    if not ends:
        return f". If the chat log says your connection from {me} broke (ConnectionResetError): {why}"
    return ""


def expected_lines(sock, token):
    """The lines the server makes of what SOCK sent (it splits the stream at each "\\n") with TOKEN."""
    stream = b"".join(data for data, _ in sends(sock))
    return [line for line in stream.split(b"\n") if line and token.encode() in line]


@judges("connect", lines="chat")
def test_the_chat_server_accepted_your_connection(chat, workbench, live, token):
    calls = settled(live).calls
    made = to_chat(calls, workbench, token, sent=False)
    socks = [s for s in made if any(c.ret == 0 or c.errno == "EINPROGRESS" for c in s.made("connect"))]
    assert socks, f"no connection to ('chat', {PORT}) was made; {calls.story()}"
    me = addresses(workbench)[1]
    ends = [address(c.args) for s in socks for c in s.made("getsockname") if c.ret == 0]
    ports = [end[1] for end in ends if isinstance(end, tuple) and end[0] == me]
    if ports:  # the client asked for its own end (getsockname): look for exactly that one
        wanted = [f"Accepted connection from: {(me, port)!r}" for port in ports]
        for line in wanted:
            if wait_lines(chat, line):
                return
        accepted = wait_lines(chat, f"Accepted connection from: ('{me}',", timeout=0)
        raise AssertionError(
            f"your client's end was {(me, ports[0])!r}, but the chat log has no line {wanted[0]!r};"
            f" its last connections from the workbench: {accepted[-3:]}"
        )
    # No getsockname(): the connection is one the server had open when this run's lines arrived.
    wait_lines(chat, token)
    log = lines_of(chat, f"('{me}', ")  # this run's lines: each names the sandbox's address
    ends = workbench_ends_open_at(log, token, me)
    assert ends, (
        f"the chat log shows no accepted connection from the workbench ({me}) that carried this run's"
        f" token; {calls.story()}"
    )


@judges("send", "connect", "error", lines="chat")
def test_the_chat_server_heard_your_token(chat, workbench, live, token):
    calls = settled(live).calls
    socks = to_chat(calls, workbench, token)
    assert socks, f"nothing with this run's token ({token}) was sent to ('chat', {PORT}); {calls.story()}"
    lines = heard(chat, token)
    shown = [data.decode(errors="replace") for data, _ in sends(socks[0])]
    assert lines, (
        f"your client sent {shown}, but the chat log has no '{SENT}...' line with this run's token"
        + reset_note(chat, workbench, token, socks[0])
    )


@judges("send", "connect", "error", lines="chat")
def test_each_message_arrived_as_its_own_line(chat, workbench, live, token):
    calls = settled(live).calls
    socks = to_chat(calls, workbench, token)
    assert socks, f"nothing with this run's token was sent to ('chat', {PORT}); {calls.story()}"
    # A stream has no message edges: what counts is the lines the server makes of the bytes (it
    # splits them at each "\n"), not how the client cut them into send() calls.
    sent = sends(socks[0])
    got = heard(chat, token, count=len(expected_lines(socks[0], token)))
    whole = all(ok for _, ok in sent)  # strace kept every byte: the stream is known to its end
    stream = b"".join(data for data, _ in sent)
    *ended, tail = stream.split(b"\n")
    if whole and tail.strip():
        raise AssertionError(
            f"what your client sent had no '\\n' at the end: {tail.decode(errors='replace')!r}"
            + ("" if ended else " (and no '\\n' anywhere before it)")
            + f"; the server, which reads lines, heard {len(got)} line(s): {got}"
        )
    mine = [line.rstrip(b"\r").decode("utf-8", "backslashreplace") for line in ended if line.strip()]
    missing = [text for text in mine if token not in text]
    assert not missing, (
        f"put this run's token in every line, so the checks find it; these had none: {missing}"
    )
    same = got == mine if whole else len(got) >= len(mine) and got[: len(mine)] == mine
    assert same, f"your client sent the lines {mine}; the server heard {got}" + (
        reset_note(chat, workbench, token, socks[0]) if len(got) < len(mine) else ""
    )


@judges("send", "connect", "error", lines="chat")
def test_the_last_line_says_bye(chat, workbench, live, token):
    calls = settled(live).calls
    socks = to_chat(calls, workbench, token)
    assert socks, f"nothing with this run's token was sent to ('chat', {PORT}); {calls.story()}"
    lines = heard(chat, token, count=len(expected_lines(socks[0], token)))
    assert lines, "the chat log has no line with this run's token" + reset_note(
        chat, workbench, token, socks[0]
    )
    assert re.search(r"\bbye\b", lines[-1], re.IGNORECASE), (
        f"the last line the server heard has no word 'bye': {lines[-1]!r} (all of them: {lines})"
    )


@judges("close", "shutdown")
def test_your_client_ended_the_connection_itself(workbench, live, token):
    ran = settled(live)
    socks = to_chat(ran.calls, workbench, token) or to_chat(ran.calls, workbench, token, sent=False)
    assert socks, f"no connection to ('chat', {PORT}) was made; {ran.calls.story()}"
    made = [c.name for s in socks for c in s.calls]
    until = ", until the runner stopped it" if ran.exit_code is None else ""
    assert "shutdown" in made or "close" in made, (
        "the trace shows no shutdown() or close() on your connection to the chat server: it stayed open"
        f" while your program went on{until}. The calls on it: {[c.name for c in socks[0].calls]}"
    )
    assert "shutdown" in made, (
        "your client called close() without shutdown() first: close() alone, with the server's greeting"
        " still unread, resets the connection (an RST) instead of ending it (a FIN), and the server may"
        " drop your last lines. Call shutdown(socket.SHUT_WR) (or SHUT_RDWR), then close()"
    )
    assert "close" in made[len(made) - made[::-1].index("shutdown") :], (
        f"your client called shutdown() but never close() on that socket{until}: close() gives it back"
        " (a `with socket.socket(...) as s:` block does it for you)"
    )


# --- step 3: a server of your own -------------------------------------------------------------


def listeners(workbench):
    """The rows of ss for TCP sockets listening on PORT in the workbench, with their owner's uid."""
    return workbench.run(f"ss -Htlne 'sport = :{PORT}'").stdout.splitlines()


def uids(workbench, pids):
    """The users the exercise's processes run as (it runs as one of lab0..lab15)."""
    found = workbench.run("stat -c %u " + " ".join(f"/proc/{pid}" for pid in pids)).stdout.split()
    return set(found)


@judges("bind", "listen")
def test_your_server_listens_on_port_12345_on_every_address(workbench, live):
    ran = live()
    rows = listeners(workbench)
    theirs = uids(workbench, ran.calls.pids) if ran.calls.pids and ran.exit_code is None else set()
    mine = [row for row in rows if set(re.findall(r"\buid:(\d+)", row)) & theirs]
    assert mine, (
        f"no socket of your program listens on TCP port {PORT} in the workbench"
        + (f" (ss shows others': {[' '.join(row.split()[:5]) for row in rows]})" if rows else "")
        + f"; {ran.calls.story()}"
    )
    local = [row.split()[3] for row in mine]
    assert any(re.fullmatch(rf"(0\.0\.0\.0|\*|\[::\]):{PORT}", end) for end in local), (
        f"your server listens on {local[0]}: only clients on this very machine can reach it there."
        " Bind to 0.0.0.0 (every address) so that others can connect too"
    )


def accepts_of(calls, port):
    """The server's accept() calls that returned the connection from ('127.0.0.1', PORT) (a
    dual-stack server's ::ffff:127.0.0.1 reads as that address: trace.address)."""
    return [c for c in accepts(calls) if address(c.args) == ("127.0.0.1", port)]


def accepts(calls):
    """The server's accept() calls that returned a connection."""
    return [c for c in calls.calls if c.name in ("accept", "accept4") and c.ret is not None and c.ret >= 0]


def not_accepted(calls, port):
    """Why the connection from PORT has no accept(), in the trace's words: what it did accept, if anything."""
    others = [address(c.args) for c in accepts(calls)]
    if others:
        return (
            f"your server's trace shows accept() returning {others}, but none from ('127.0.0.1', {port})"
            " within 3 s"
        )
    return f"your server did not accept() it within 3 s (it waited in the listen queue); {calls.story()}"


def received(calls, text):
    return [c for c in calls.calls if c.name in RECV and c.ret and text.encode() in c.data]


@judges("accept")
def test_it_accepted_a_client_and_printed_its_address(workbench, live, run):
    seen = client_run(workbench, run, "one")
    assert "a_port" in seen, no_client(seen)
    port = seen["a_port"]
    # ('127.0.0.1', port), or a dual-stack server's ('::ffff:127.0.0.1', port, 0, 0)
    line = re.compile(
        rf"Accepted connection from:? *\(?'?(?:::ffff:)?127\.0\.0\.1'?(, *|:){port}\b", re.IGNORECASE
    )
    deadline = time.monotonic() + 3
    while True:
        ran = live()
        printed = [row for row in ran.output.splitlines() if line.search(row)]
        if (printed and accepts_of(ran.calls, port)) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert accepts_of(ran.calls, port), (
        f"the check's client connected from ('127.0.0.1', {port}); " + not_accepted(ran.calls, port)
    )
    assert printed, (
        f"your server accepted the check's client, ('127.0.0.1', {port}), but did not print"
        f" \"Accepted connection from: ('127.0.0.1', {port})\"; it printed: {ran.output.splitlines()[-5:]}"
    )


def test_it_printed_what_the_client_sent(workbench, live, run):
    seen = client_run(workbench, run, "one")
    assert "a_port" in seen, no_client(seen)
    deadline = time.monotonic() + 3
    while True:
        ran = live()
        got, shown = received(ran.calls, seen["nonce"]), seen["nonce"] in ran.output
        if (got and shown) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert got, (
        f"the check's client sent 'hello from the check's client, {seen['nonce']}\\n', and your server"
        f" did not recv() it; {ran.calls.story()}"
    )
    assert shown, (
        f"your server received the check's line ({seen['nonce']}) but did not print it;"
        f" it printed: {ran.output.splitlines()[-5:]}"
    )


@judges("close", "shutdown")
def test_it_does_not_spin_after_a_client_leaves(workbench, live, run):
    seen = client_run(workbench, run, "leave")
    assert "a_port" in seen, no_client(seen)
    assert "cpu" in seen, f"the check found no listening socket on port {PORT} to watch: {seen}"
    cpu, sleeps = seen["cpu"] / seen["seconds"], seen["sleeps"] / seen["seconds"]
    if cpu <= SPIN and sleeps <= WAKEUPS and seen.get("closed_by_server"):
        return  # the usual case: no need to read the trace again
    empty = [c for c in live().calls.calls if c.name in RECV and c.ret == 0]
    if cpu > SPIN or sleeps > WAKEUPS:
        looped = (
            f"; its trace holds {len(empty)} recv() calls that returned 0 bytes (the end of the stream), one"
            " after the other"
        )
        raise AssertionError(
            f"after the check's client left, your server kept busy: in {seen['seconds']:.1f} s it used"
            f" {seen['cpu']:.2f} s of CPU and went to sleep and woke up {seen['sleeps']} times (a traced"
            " program does, at each system call)" + (looped if len(empty) > 10 else "")
        )
    # Leaving is the client's close: a server that goes on reading b'' and never closes its end
    # (the connection stays in CLOSE_WAIT) spins however slowly it loops, and holds the socket.
    assert seen.get("closed_by_server"), (
        f"the check's client (port {seen['a_port']}) sent a line and closed its end; 2 s later your server"
        " had still not closed its end of that connection (ss still lists it): when recv() returns b'',"
        " the client has left, so close() that socket and stop reading it"
        + (f"; your server's trace holds {len(empty)} recv() calls that returned b''" if empty else "")
    )


# --- step 4: many clients, one room -------------------------------------------------------------


def test_it_serves_two_clients_at_once(workbench, live, run):
    seen = client_run(workbench, run, "two")
    ports = [seen.get("a_port"), seen.get("b_port")]
    assert all(ports), no_client(seen, "the check's two clients")
    # The check's client watched the listening socket's queue (ss): empty once both were accepted.
    assert seen.get("accepted"), (
        f"the check connected client A (port {ports[0]}) and client B (port {ports[1]}); 3 s later, with"
        " both still connected, one of them still waited in your server's listen queue: it was not"
        " accept()ed while the other was being served"
    )
    said = [f"A says {seen['nonce']}", f"B says {seen['nonce']}"]
    deadline = time.monotonic() + 3  # the trace reaches us a moment after the calls (more, under load)
    while True:
        calls = live().calls
        accepted = [port for port in ports if accepts_of(calls, port)]
        unheard = [text for text in said if not received(calls, text)]
        if (len(accepted) == 2 and not unheard) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(accepted) == 2, (
        f"the check connected two clients, from ports {ports}; your server's trace shows accept() for"
        f" {accepted or 'neither'}"
    )
    assert not unheard, f"both clients sent a line; your server did not recv() {unheard}; {calls.story()}"


def test_it_passes_each_line_on_to_the_other_client(workbench, run):
    seen = client_run(workbench, run, "two")
    assert "b_got" in seen, no_client(seen, "the check's two clients")
    said = {"b": f"A says {seen['nonce']}", "a": f"B says {seen['nonce']}"}
    missed = {
        who: f"client {who.upper()} got {seen[who + '_got'][:300]!r} in 3 s"
        for who, text in said.items()
        if text not in seen[who + "_got"]
    }
    assert not missed, (
        f"client A sent {said['b']!r}, then client B sent {said['a']!r} (each up to 3 times, 1 s apart, until"
        " the other got it); each should reach the other."
        f" Observed: {'; '.join(missed.values())}"
    )
