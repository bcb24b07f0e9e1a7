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
from pathlib import Path

from lab_runner.trace import RECV

PORT = 12346
SIZED_PORT = 12347  # step 3's listener: messages with a length prefix
DEFAULT_DELIMITER = "|"  # a run with no learner's values (the project's own tests of a check)
DEFAULT_PREFIX = "4"

# The checks' client: a script of its own beside this file, read as text and run in the sandbox.
CLIENT = Path(__file__).parent / "client_script.py"
SCENES = "pair,glued,cut,bytes,sized_glued,sized_cut,sized_bytes"


def delimiter(run):
    return run.values.get("delimiter", DEFAULT_DELIMITER)


def width(run):
    """How many bytes the length prefix takes (big-endian)."""
    return int(run.values.get("prefix", DEFAULT_PREFIX))


def client_run(workbench, run, scenes):
    """What the checks' client saw playing SCENES, once per run (several checks judge one session)."""

    def drive():
        args = [CLIENT.read_text(), scenes, run.token, delimiter(run).encode().hex(), str(width(run))]
        args = " ".join(shlex.quote(a) for a in args)
        done = workbench.run(f"python3 -I -c {args}")
        try:
            return json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"broken": (done.stdout + done.stderr)[-500:]}

    return run.once(("client", scenes), drive)


def session(workbench, run):
    return client_run(workbench, run, SCENES)


def scene(workbench, run, name):
    seen = session(workbench, run).get(name)
    assert seen and "port" in seen, no_client(seen, SIZED_PORT if name.startswith("sized") else PORT)
    return seen


def no_client(seen, port=PORT):
    if not seen:
        return "the checks' client did not run"
    err = seen.get("error", "")
    if "Refused" in err:
        return f"the checks' client could not connect to 127.0.0.1:{port}: nothing listens there"
    return f"the checks' client could not connect to 127.0.0.1:{port}: {err or seen}"


# --- step 1: two sends, one recv ------------------------------------------------------------


def test_your_server_listens_on_port_12346(live, workbench, run):
    deadline = time.monotonic() + 3  # the trace reaches us a moment after the calls (more, under load)
    while True:
        calls = live().calls
        bound = [s for s in calls.sockets if isinstance(s.bound, tuple) and s.bound[1] == PORT]
        if any(s.made("listen") for s in bound) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert any(s.made("listen") for s in bound), (
        f"no socket of your program was bound to port {PORT} and listening; {calls.story()}"
    )
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


TRIES = 8  # a server already waiting when the first segment lands may read it alone: try again


def test_the_two_sends_came_out_of_one_recv(live, workbench, run):
    for n in range(TRIES):
        again = f"pair#{n}"  # another connection, another try
        seen = scene(workbench, run, "pair") if n == 0 else client_run(workbench, run, again).get(again)
        assert seen and "port" in seen, no_client(seen)
        pieces = [p.encode("latin-1") for p in seen["pieces"]]
        total = sum(map(len, pieces))
        deadline = time.monotonic() + 3  # the trace reaches us a moment after the calls
        while True:
            recvs = recvs_from(live().calls, seen["port"])
            if sum(c.ret for c in recvs) >= total or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if spans(recvs, len(pieces[0])):
            return
        if sum(c.ret for c in recvs) < total or max(c.ret for c in recvs) < min(map(len, pieces)):
            break  # it did not read them both, or reads less than a message at a time: no use trying again
    sent = " and ".join(repr(p) for p in seen["pieces"])
    assert recvs, f"the checks' client sent {sent} with two send()s; your server did not recv() them"
    got = [c.data for c in recvs][:8] + (["..."] if len(recvs) > 8 else [])
    assert max(c.ret for c in recvs) >= min(map(len, pieces)), (
        f"the checks' client sent {sent} with two send()s; your server's recv()s returned each fewer"
        f" bytes than one message, so none could show both ({got}). Ask for more (recv(1024))"
    )
    assert sum(c.ret for c in recvs) >= total, (
        f"the checks' client sent {sent} with two send()s; your server's recv()s returned only {got}"
    )
    raise AssertionError(
        f"the checks' client sent {sent} with two send()s, {n + 1} times; each time your server's"
        f" recv()s returned them apart ({got}): it was already waiting when the first arrived"
    )


# --- step 2: every message whole, however it was cut -----------------------------------------


def notes_on(got, wanted):
    """What the replies GOT say about the server, against the replies WANTED: one note of each kind."""
    notes = {}
    for x in (x for x in got if x not in wanted):
        whose = next((w for w in wanted if x and x in w), None)
        if not x or (whose and whose.startswith(x)):
            notes.setdefault("start", (
                f"a reply lacked the start of its message ({x!r}): the bytes after the last message"
                " in a recv() are the start of the next one; keep them for the next recv()"
            ))  # fmt: skip
        elif whose:
            notes.setdefault("part", (
                f"a reply held only part of a message ({x!r} of {whose!r}): your server answered before"
                " the whole message had arrived; one recv() is not one message"
            ))  # fmt: skip
        else:
            notes.setdefault("other", f"a reply held no message of the client's ({x[:80]!r})")
    if not notes and sorted(got) == sorted(wanted) and got != wanted:
        notes["order"] = "the replies came in another order: your server reversed several messages at once"
    if missing := [w for w in wanted if w not in got]:
        notes["missing"] = f"{len(missing)} of the {len(wanted)} messages got no reply"
    return list(notes.values())


def fail(seen, how, wanted, end, notes):
    replies = seen["replies"]
    raise AssertionError(
        f"the checks' client sent {len(wanted)} messages, {how}; the replies should be {wanted}, {end}."
        f" Your server answered {replies[:300]!r}{'...' if len(replies) > 300 else ''}: " + "; ".join(notes)
    )


def judge(seen, how, delim):
    """Each message came back reversed, whole, in order, ended by DELIM, as soon as it was sent."""
    wanted = [m[::-1] for m in seen["messages"]]
    *got, tail = seen["replies"].split(delim)
    if got == wanted and not tail and "before_close" in seen:
        return
    notes = notes_on(got, wanted)
    if not notes and tail:
        notes.append(f"after the replies came {tail!r}, with no delimiter")
    fail(seen, how, wanted, f"each ended by {delim!r}", notes or [LATE])


LITTLE = "your replies' lengths read as little-endian: read and write them big-endian (network order)"
LATE = (
    "the replies came only after the client had closed its end: answer each message as soon as"
    " the whole of it has arrived, not at the end of the stream"
)


def test_each_of_three_messages_in_one_send_got_its_own_reply(workbench, run):
    seen = scene(workbench, run, "glued")
    judge(seen, f"in one send(): {seen['pieces'][0]!r}", delimiter(run))


def test_messages_cut_at_odd_places_came_back_whole(workbench, run):
    seen = scene(workbench, run, "cut")
    judge(seen, f"in {len(seen['pieces'])} send()s cut at odd places: {seen['pieces']}", delimiter(run))


def test_messages_sent_one_byte_at_a_time_came_back_whole(workbench, run):
    seen = scene(workbench, run, "bytes")
    judge(seen, f"one byte per send(): {seen['messages']}, each ended by {delimiter(run)!r}", delimiter(run))


# --- step 3: a length in front ---------------------------------------------------------------


def sized(data, w, order="big"):
    """The messages in DATA, each W bytes of length (in ORDER) and then that many bytes; the rest."""
    found = []
    while len(data) >= w and len(data) >= w + (n := int.from_bytes(data[:w], order)):
        found.append(data[w : w + n].decode("latin-1"))
        data = data[w + n :]
    return found, data


def judge_sized(seen, how, w):
    """Each message came back reversed, whole, in order, with its length in front (W bytes, big-endian)."""
    wanted = [m[::-1] for m in seen["messages"]]
    got, rest = sized(seen["replies"].encode("latin-1"), w)
    if got == wanted and not rest and "before_close" in seen:
        return
    notes = notes_on(got, wanted)
    if rest and len(rest) >= w:
        claims = int.from_bytes(rest[:w], "big")
        notes.append(f"then a prefix {rest[:w]!r} that says {claims} bytes, and {len(rest) - w} after it")
    little, left = sized(seen["replies"].encode("latin-1"), w, "little")
    if got != wanted and little and not left and (rest or not got):
        notes = [LITTLE]
    elif got != wanted:
        notes.append(
            f"recv(n) returns at most n bytes, maybe fewer: the {w} bytes of a prefix and the body after it"
            " may each come in pieces; read until you have all of them"
        )
    end = f"each after its length in {w} bytes, big-endian"
    fail(seen, how, wanted, end, notes or [LATE])


def test_three_sized_messages_in_one_send_got_their_own_replies(workbench, run):
    seen = scene(workbench, run, "sized_glued")
    judge_sized(seen, f"to port {SIZED_PORT} in one send(): {seen['pieces'][0]!r}", width(run))


def test_sized_messages_cut_inside_their_prefix_came_back_whole(workbench, run):
    seen = scene(workbench, run, "sized_cut")
    how = f"to port {SIZED_PORT} in {len(seen['pieces'])} send()s, one cut after a prefix's first byte"
    judge_sized(seen, f"{how}: {seen['pieces']}", width(run))


def test_sized_messages_sent_one_byte_at_a_time_came_back_whole(workbench, run):
    seen = scene(workbench, run, "sized_bytes")
    judge_sized(seen, f"to port {SIZED_PORT}, one byte per send(): {seen['messages']}", width(run))
