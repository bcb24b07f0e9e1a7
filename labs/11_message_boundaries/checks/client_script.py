"""The checks' client (lab 11), run in the run's sandbox as `python3 -I -c <this file's text>
SCENES NONCE DELIMITER_HEX PREFIX_WIDTH`. Not a check: the checks read it as text.

Each scene is one connection to the learner's server: messages, framed (a delimiter at the end,
or a big-endian length prefix in front), cut into send() calls in its own way. It prints one JSON
object: per scene, the client's port, the messages, the pieces sent (one send() each), the bytes
that came back (latin-1), and those that were back before it closed its end.
"""

import contextlib
import ctypes
import json
import random
import signal
import socket
import string
import sys
import time

signal.alarm(25)
scenes, nonce, D, WIDTH = sys.argv[1].split(","), sys.argv[2], bytes.fromhex(sys.argv[3]), int(sys.argv[4])


def message(word, odd=""):
    """A word, the nonce and letters of random length (no canned reply or fixed read fits), and
    for a length prefix, ODD bytes that a delimiter could not carry."""
    rnd = random.SystemRandom()
    filler = "".join(rnd.choice(string.ascii_lowercase + odd) for _ in range(rnd.randint(1, 40)))
    return f"{word} {nonce}-{rnd.randrange(16**6):06x} {filler}".encode()


def delimited(m):
    return m + D


def prefixed(m):
    return len(m).to_bytes(WIDTH, "big") + m


def count_delimited(got):
    return got.count(D)


def count_prefixed(got):
    n = 0
    while len(got) >= WIDTH and len(got) >= WIDTH + int.from_bytes(got[:WIDTH], "big"):
        got, n = got[WIDTH + int.from_bytes(got[:WIDTH], "big") :], n + 1
    return n


def whole(stream, sizes):
    return [stream]


def each(stream, sizes):
    return [stream[: sizes[0]], stream[sizes[0] :]]


def odd(stream, sizes):
    a, b = sizes[0], sizes[0] + sizes[1]
    cuts = [a // 2, a + 1, b - 1]  # mid-message; a boundary and the next one's first byte; a last byte alone
    return [stream[i:j] for i, j in zip([0] + cuts, cuts + [len(stream)], strict=True)]


def bytewise(stream, sizes):
    return [stream[i : i + 1] for i in range(len(stream))]


class IOVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_char_p), ("len", ctypes.c_size_t)]


class MsgHdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.POINTER(IOVec)),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]  # fmt: skip


class MMsgHdr(ctypes.Structure):
    _fields_ = [("hdr", MsgHdr), ("len", ctypes.c_uint)]


def send_both(s, pieces):
    """PIECES as one send each, in a single sendmmsg() call: with TCP_NODELAY each leaves as its
    own segment, and no pause of this process can come between them (two sendall()s, on a busy
    machine, may be a scheduler's tick apart, and a server already waiting reads the first alone)."""
    iovs = [IOVec(p, len(p)) for p in pieces]
    headers = [MMsgHdr(MsgHdr(None, 0, ctypes.pointer(v), 1, None, 0, 0)) for v in iovs]
    msgs = (MMsgHdr * len(pieces))(*headers)
    try:
        sent = ctypes.CDLL(None, use_errno=True).sendmmsg(s.fileno(), msgs, len(pieces), 0)
    except (OSError, AttributeError):  # no sendmmsg() here: two sends, as close as Python makes them
        sent = 0
    done = sum(m.len for m in msgs[: max(sent, 0)])
    if done < sum(map(len, pieces)):
        s.sendall(b"".join(pieces)[done:])


def connect(port, patience):
    """A connection to the server's PORT; a second listener may come up a moment after the first."""
    deadline = time.monotonic() + patience
    while True:
        s = socket.socket()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each send() its own segment
        s.settimeout(3)
        try:
            s.connect(("127.0.0.1", port))
            return s
        except ConnectionRefusedError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def talk(port, frame, count, words, cut, pause, odd_bytes=""):
    msgs = [message(w, odd_bytes) for w in words]
    framed = [frame(m) for m in msgs]
    pieces = cut(b"".join(framed), [len(f) for f in framed])
    seen = {"messages": [m.decode("latin-1") for m in msgs], "pieces": [p.decode("latin-1") for p in pieces]}
    try:
        s = connect(port, 1 if port != 12346 else 0)
        seen["port"] = s.getsockname()[1]
        if cut is each:
            send_both(s, pieces)
            pieces = []
        for n, piece in enumerate(pieces):
            if n and pause:
                time.sleep(pause)
            s.sendall(piece)
    except OSError as err:
        seen["error"] = f"{type(err).__name__}: {err}"
    got, closed = b"", False
    deadline = time.monotonic() + 1.5  # the replies, while the connection is still open
    while "port" in seen and len(got) < 65536:
        if count(got) >= len(msgs) and not closed:
            seen["before_close"] = got.decode("latin-1")
        if (count(got) >= len(msgs) or time.monotonic() > deadline) and not closed:
            closed, deadline = True, time.monotonic() + 1
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_WR)
        if closed and time.monotonic() > deadline:
            break  # after our end is closed, read to the server's end: it finishes its sends
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = s.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            break
        if not data:
            break
        got += data
    if "port" in seen:
        s.close()
    seen["replies"] = got.decode("latin-1")
    return seen


DELIMITED = (12346, delimited, count_delimited)
PREFIXED = (12347, prefixed, count_prefixed)  # its bodies carry the delimiters, newlines too
SCENES = {
    "pair": (*DELIMITED, ["hello", "world"], each, 0),
    "glued": (*DELIMITED, ["one", "two", "three"], whole, 0),
    "cut": (*DELIMITED, ["four", "five", "six"], odd, 0.05),
    "bytes": (*DELIMITED, ["seven", "eight"], bytewise, 0.003),
    "sized_glued": (*PREFIXED, ["nine", "ten", "eleven"], whole, 0, "|;\n"),
    "sized_cut": (*PREFIXED, ["twelve", "thirteen", "fourteen"], odd, 0.05, "|;\n"),
    "sized_bytes": (*PREFIXED, ["fifteen", "sixteen"], bytewise, 0.003, "|;\n"),
}
print(json.dumps({scene: talk(*SCENES[scene.split("#")[0]]) for scene in scenes}))
