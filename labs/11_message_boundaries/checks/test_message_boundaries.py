"""Lab 11 checks: the learner's server, driven by the checks' own client in the run's sandbox.

The client (CLIENT, run with `python3 -I` in the sandbox) connects to 127.0.0.1:PORT and sends
messages, each ended by the learner's delimiter, cut into send() calls in several ways; it
reports what it sent and the bytes that came back. Each message is a word, a nonce and letters
of a random length, so no canned answer and no fixed-size read fits them. Step 1 reads the
server's recv() calls in the trace (strace); step 2 reads the replies the client got.
"""

import json
import shlex
import time

from lab_runner.trace import RECV

PORT = 12346
DEFAULT_DELIMITER = "|"  # until per-learner values land: run.values["delimiter"]

# The checks' client. argv: the scenes to play, a nonce, the delimiter in hex. It prints one JSON
# object: per scene, its client's port, the messages, the pieces it sent (one send() each), the
# bytes that came back (latin-1) and whether they were all back before it closed its end.
CLIENT = r"""
import json, random, signal, socket, string, sys, time
signal.alarm(25)
scenes, nonce, D = sys.argv[1].split(","), sys.argv[2], bytes.fromhex(sys.argv[3])
PORT = 12346
rnd = random.SystemRandom()

def message(word):
    filler = "".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(1, 40)))
    return f"{word} {nonce}-{rnd.randrange(16**6):06x} {filler}"

def talk(words, cut, pause):
    msgs = [message(w) for w in words]
    stream = b"".join(m.encode() + D for m in msgs)
    pieces = cut(stream, [len(m) + 1 for m in msgs])
    seen = {"messages": msgs, "pieces": [p.decode("latin-1") for p in pieces]}
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each send() its own segment
    s.settimeout(3)
    try:
        s.connect(("127.0.0.1", PORT))
        seen["port"] = s.getsockname()[1]
        for n, piece in enumerate(pieces):
            if n and pause:
                time.sleep(pause)
            s.sendall(piece)
    except OSError as err:
        seen["error"] = f"{type(err).__name__}: {err}"
    got, closed = b"", False
    deadline = time.monotonic() + 1.5  # the replies, while the connection is still open
    while "port" in seen and len(got) < 65536:
        if got.count(D) >= len(msgs) and not closed:
            seen["before_close"] = got.decode("latin-1")
        if (got.count(D) >= len(msgs) or time.monotonic() > deadline) and not closed:
            closed, deadline = True, time.monotonic() + 1
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        if closed and time.monotonic() > deadline:
            break  # after our end is closed, read to the server's end: it finishes its sends
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            break
        if not data:
            break
        got += data
    s.close()
    seen["replies"] = got.decode("latin-1")
    return seen

def whole(stream, sizes):
    return [stream]

def each(stream, sizes):
    return [stream[:sizes[0]], stream[sizes[0]:]]

def odd(stream, sizes):
    a, b = sizes[0], sizes[0] + sizes[1]
    cuts = [a // 2, a + 3, b - 1]  # mid-message; a delimiter and a message's start; its end alone
    return [stream[i:j] for i, j in zip([0] + cuts, cuts + [len(stream)])]

def bytewise(stream, sizes):
    return [stream[i:i + 1] for i in range(len(stream))]

SCENES = {
    "pair": (["hello", "world"], each, 0),
    "glued": (["one", "two", "three"], whole, 0),
    "cut": (["four", "five", "six"], odd, 0.05),
    "bytes": (["seven", "eight"], bytewise, 0.003),
}
print(json.dumps({scene: talk(*SCENES[scene.split("#")[0]]) for scene in scenes}))
"""


def delimiter(run):
    return getattr(run, "values", {}).get("delimiter", DEFAULT_DELIMITER)


def client_run(workbench, run, scenes):
    """What the checks' client saw playing SCENES, once per run (several checks judge one session)."""

    def drive():
        args = " ".join(shlex.quote(a) for a in (CLIENT, scenes, run.token, delimiter(run).encode().hex()))
        done = workbench.run(f"python3 -I -c {args}")
        try:
            return json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"broken": (done.stdout + done.stderr)[-500:]}

    return run.once(("client", scenes), drive)


def session(workbench, run):
    return client_run(workbench, run, "pair,glued,cut,bytes")


def scene(workbench, run, name):
    seen = session(workbench, run).get(name)
    assert seen and "port" in seen, no_client(seen)
    return seen


def no_client(seen):
    if not seen:
        return "the checks' client did not run"
    err = seen.get("error", "")
    if "Refused" in err:
        return f"the checks' client could not connect to 127.0.0.1:{PORT}: nothing listens there"
    return f"the checks' client could not connect to 127.0.0.1:{PORT}: {err or seen}"


# --- step 1: two sends, one recv ------------------------------------------------------------


def test_your_server_listens_on_port_12346(calls, workbench, run):
    bound = [s for s in calls.sockets if isinstance(s.bound, tuple) and s.bound[1] == PORT]
    mine = [s for s in bound if s.made("listen")]
    assert mine, f"no socket of your program was bound to port {PORT} and listening; {calls.story()}"
    scene(workbench, run, "pair")


def recvs_from(calls, port):
    """The recv() calls that returned bytes, on your server's connections from ('127.0.0.1', PORT)."""
    socks = [s for s in calls.sockets if s.peer == ("127.0.0.1", port)]
    return [c for s in socks for c in s.calls if s.receives(c) and c.name in RECV and c.ret]


def spans(recvs, first):
    """The recv() that returned bytes of the first message and of the second (it read across the
    boundary at byte FIRST), if one did."""
    at = 0
    for c in recvs:
        if at < first < at + c.ret:
            return c
        at += c.ret
    return None


def test_the_two_sends_came_out_of_one_recv(live, workbench, run):
    tries = []
    for n in range(3):  # the client sends both at once; a server already reading may get one
        again = f"pair#{n}"  # another connection, another try
        seen = scene(workbench, run, "pair") if n == 0 else client_run(workbench, run, again).get(again)
        assert seen and "port" in seen, no_client(seen)
        first, total = (len(p.encode("latin-1")) for p in (seen["pieces"][0], "".join(seen["pieces"])))
        deadline = time.monotonic() + 3  # the trace reaches us a moment after the calls
        while True:
            recvs = recvs_from(live().calls, seen["port"])
            if sum(c.ret for c in recvs) >= total or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if spans(recvs, first):
            return
        tries.append((seen, recvs))
    seen, recvs = tries[-1]
    sent = " and ".join(repr(p) for p in seen["pieces"])
    assert recvs, f"the checks' client sent {sent} with two send()s; your server did not recv() them"
    got = [c.data for c in recvs]
    assert any(c.ret > len(seen["pieces"][0]) for c in recvs), (
        f"the checks' client sent {sent} with two send()s; your server's recv()s returned {got}: each"
        " asked for fewer bytes than one message, so none could show both. Ask for more (recv(1024))"
    )
    raise AssertionError(
        f"the checks' client sent {sent} with two send()s, {len(tries)} times; each time your server's"
        f" recv()s returned them apart ({got}): it was already reading when the first arrived"
    )


# --- step 2: every message whole, however it was cut -----------------------------------------


def judge(seen, how, delim):
    """Each message came back reversed, whole, in order, as soon as it was sent."""
    wanted = [m[::-1] for m in seen["messages"]]
    *got, tail = seen["replies"].split(delim)
    if got == wanted and not tail and "before_close" in seen:
        return
    notes = {}  # one note of each kind, with its first example
    for x in (x for x in got if x not in wanted):
        whose = next((w for w in wanted if x and x in w), None)
        if not x or (whose and whose.startswith(x)):
            notes.setdefault("start", (
                f"a reply lacked the start of its message ({x!r}): the bytes after the last delimiter"
                " of a recv() are the start of the next message; keep them for the next recv()"
            ))  # fmt: skip
        elif whose:
            notes.setdefault("part", (
                f"a reply held only part of a message ({x!r} of {whose!r}): your server answered before"
                " the message's delimiter had arrived; one recv() is not one message"
            ))  # fmt: skip
        else:
            notes.setdefault("other", f"a reply held no message of the client's ({x!r})")
    notes = list(notes.values())
    if not notes and sorted(got) == sorted(wanted) and got != wanted:
        notes.append("the replies came in another order: your server reversed several messages at once")
    if not notes and got == wanted and tail:
        notes.append(f"after the replies came {tail!r}, with no delimiter")
    if not notes and got == wanted:
        notes.append(
            "the replies came only after the client had closed its end: answer each message as soon"
            " as its delimiter arrives, not at the end of the stream"
        )
    missing = [w for w in wanted if w not in got]
    if missing:
        notes.append(f"{len(missing)} of the {len(wanted)} messages got no reply")
    raise AssertionError(
        f"the checks' client sent {len(wanted)} messages ({how}): {seen['messages']}, each ended by"
        f" {delim!r}; the replies should be {wanted}, each ended by {delim!r}. Your server answered"
        f" {seen['replies'][:300]!r}{'...' if len(seen['replies']) > 300 else ''}: " + "; ".join(notes)
    )


def test_each_of_three_messages_in_one_send_got_its_own_reply(workbench, run):
    judge(scene(workbench, run, "glued"), "in one send()", delimiter(run))


def test_messages_cut_at_odd_places_came_back_whole(workbench, run):
    seen = scene(workbench, run, "cut")
    judge(seen, f"in {len(seen['pieces'])} send()s cut at odd places: {seen['pieces']}", delimiter(run))


def test_messages_sent_one_byte_at_a_time_came_back_whole(workbench, run):
    judge(scene(workbench, run, "bytes"), "one byte per send()", delimiter(run))
