"""The red team against the shared services: the chat room, Flask and rsyslog (issue 21).

Each attack is a real exercise run through lab_runner, in the sandbox every run gets, on the
real stack. Beside it (at the same time), another learner's good run and do-nothing run are
graded exactly as they are alone (the baseline): the attack changed no grade but its own.

The runs are made in this process with runs.run_one, as `python -m lab_runner` makes them,
so that a test can know a run's token ahead (the worst case: tokens travel, and an attacker
that has one must still not change that run's grade) or rotate the logs between a run's send
and its checks.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from lab_runner import checks, evidence, labs, runs, stack
from lab_runner.hosts import service_host
from lab_runner.verdict import LabResult

LAB1, LAB2, LAB3, LAB4, LAB6, LAB8, LAB10 = (
    labs.resolve(k) for k in ("lab1", "lab2", "lab3", "lab4", "lab6", "lab8", "lab10")
)
CHAT_LOG = "/var/log/chat/chat.log"
TOKEN = re.compile(r"lab\d+-[0-9a-f]{12}")
_tokens: dict[int, str] = {}  # thread id -> the token the run made in it gets (see known_tokens)


@pytest.fixture(autouse=True)
def known_tokens(monkeypatch):
    """A run given a token (run(..., token)) gets it; any other, a fresh one."""
    fresh = runs.new_token

    def new(name: str) -> str:
        return _tokens.pop(threading.get_ident(), None) or fresh(name)

    monkeypatch.setattr(runs, "new_token", new)


def new_token(lab) -> str:
    return f"{lab.key}-{uuid.uuid4().hex[:12]}"


def run(lab, path: Path | str, token: str | None = None, timeout: float | None = None) -> LabResult:
    """One run of LAB on PATH, through lab_runner, with TOKEN if given."""
    if token:
        _tokens[threading.get_ident()] = token
    containers = stack.require_healthy(labs.services_for([lab]))
    return runs.run_one(lab, Path(path), containers, timeout)


def graded(result: LabResult) -> dict[str, bool]:
    return {c.name: c.passed for c in result.checks}


def write(tmp_path, name, source) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture(scope="module")
def nothing(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nothing") / "nothing.py"
    path.write_text("")
    return path


@pytest.fixture(scope="module")
def baseline(nothing):
    """What a good file and a do-nothing file get alone: {lab key: (good checks, nothing checks)}."""
    found = {}
    for lab in (LAB1, LAB2, LAB3, LAB4, LAB6, LAB10):
        good, empty = graded(run(lab, lab.solution_path)), graded(run(lab, nothing))
        assert all(good.values()) and not any(empty.values()), (lab.key, good, empty)
        found[lab.key] = (good, empty)
    return found


def side_by_side(attack, beside: list, baseline, nothing, delay: float = 1.5) -> LabResult:
    """Run ATTACK (lab, path, timeout), and DELAY seconds later a good and a do-nothing run of
    each lab in BESIDE, all at once; each of those is graded as it is alone. The attack's result."""
    with concurrent.futures.ThreadPoolExecutor(1 + 2 * len(beside)) as pool:
        attacking = pool.submit(run, attack[0], attack[1], None, attack[2])
        time.sleep(delay)
        runs = {
            (lab.key, kind): pool.submit(run, lab, path)
            for lab in beside
            for kind, path in (("good", lab.solution_path), ("nothing", nothing))
        }
        for (key, kind), future in runs.items():
            want = baseline[key][0 if kind == "good" else 1]
            assert graded(future.result()) == want, f"{key}: a {kind} run beside the attack was changed"
        return attacking.result()


def summary(result: LabResult) -> dict:
    """The JSON line an attacker printed last."""
    lines = [line for line in result.exercise.output.splitlines() if line.startswith("{")]
    assert lines, result.exercise.output[-2000:]
    return json.loads(lines[-1])


# --- chat: the room relays a line only to its sender's address; lines are the sender's ---------

CHAT_ATTACK = """
    import json, os, re, socket, time
    VICTIMS = {victims!r}  # classmates' tokens: the attacker has them (tokens travel)
    me = os.environ.get("LAB_TOKEN", "")
    a = socket.create_connection(("chat", 12345), timeout=5)
    b = socket.create_connection(("chat", 12345), timeout=5)  # a second client of its own
    got, b_got, sent = b"", b"", 0
    end = time.monotonic() + {seconds}
    while time.monotonic() < end:
        for sock in (a, b):
            sock.settimeout(0.1)
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = None
            if sock is a and chunk:
                got += chunk
            elif chunk:
                b_got += chunk
        learned = set(VICTIMS) | set(re.findall(r"lab\\d+-[0-9a-f]{{12}}", got.decode(errors="replace")))
        for token in sorted(learned - {{me}}):  # every token it knows or learned, but its own
            for line in (f"{{token}} one", f"This is what the client sent: {{token}} forged",
                         f"bye {{token}} forged"):
                a.sendall((line + "\\n").encode())
                sent += 1
        time.sleep(0.2)
    a.sendall(f"own line {{me}}\\n".encode())
    deadline = time.monotonic() + 2
    while f"own line {{me}}".encode() not in b_got and time.monotonic() < deadline:
        b.settimeout(0.2)
        try:
            b_got += b.recv(65536)
        except OSError:
            pass
    print(json.dumps({{"received": got.decode(errors="replace"), "b_received": b_got.decode(errors="replace"),
                      "sent": sent}}))
"""


def test_chat_a_classmates_token_never_reaches_another_address_and_lines_carrying_it_change_no_grade(
    tmp_path, baseline, nothing
):
    good_token, nothing_token = new_token(LAB6), new_token(LAB6)
    attack = write(tmp_path, "attack.py", CHAT_ATTACK.format(victims=[good_token, nothing_token], seconds=14))
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        # Handed in as lab 3 (which runs to its end before its checks), it attacks the chat room.
        attacking = pool.submit(run, LAB3, attack, None, 40)
        time.sleep(2)  # the attacker is in the room and sending
        good = pool.submit(run, LAB6, LAB6.solution_path, good_token)
        empty = pool.submit(run, LAB6, nothing, nothing_token)
        assert graded(good.result()) == baseline["lab6"][0], "a good run beside the attacker was changed"
        assert graded(empty.result()) == baseline["lab6"][1], "a do-nothing run beside it was changed"
        seen = summary(attacking.result())
    # The attack was made: the chat server heard lines with the good run's token from the attacker ...
    chat = service_host("chat", stack.container_id("chat"))
    assert evidence.wait_lines(chat, f"{good_token} forged"), "the attacker's lines never reached chat"
    assert seen["sent"] > 50, seen
    print(f"\nthe attacker sent {seen['sent']} lines with its classmates' tokens")
    # ... its own second client heard its lines (the room works, for one address) ...
    assert "own line" in seen["b_received"], seen
    # ... and nothing of another address reached its first client: its welcome, and the lines of
    # its own second client (which sent none), so no token at all.
    assert seen["received"].startswith("welcome: you are"), seen["received"][:500]
    assert not TOKEN.findall(seen["received"]), seen["received"][:2000]
    others = [line for line in seen["received"].splitlines() if not line.startswith("welcome")]
    assert not others, f"lines of other clients reached the attacker: {others[:5]}"


FILL_ROOM = """
    import json, select, socket, time
    held, refused, evicted = [], 0, 0
    for n in range({count}):  # the whole room, from one address (and then some)
        try:
            s = socket.create_connection(("chat", 12345), timeout=5)
        except OSError:
            continue
        held.append(s)
    end = time.monotonic() + {seconds}
    said = {{}}
    while time.monotonic() < end and held:
        readable, _, _ = select.select(held, [], [], 0.5)
        for s in readable:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            said[s] = said.get(s, b"") + data
            if not data:
                held.remove(s)
                s.close()
    words = b"".join(said.values())
    print(json.dumps({{"held_at_end": len(held), "full": words.count(b"the room is full, try again"),
                      "evicted": words.count(b"your address holds the most places")}}))
"""


def test_chat_one_address_that_fills_the_room_does_not_keep_a_classmate_out(tmp_path, baseline, nothing):
    attack = write(tmp_path, "attack.py", FILL_ROOM.format(count=1000, seconds=16))
    result = side_by_side((LAB3, attack, 40), [LAB6], baseline, nothing, delay=6)
    seen = summary(result)
    print(f"\nthe room-filler: {seen}")
    # It filled the room (its 1000 connections, with the 1000th turned away only if others were
    # in), and gave up a place for each classmate's connection that came in meanwhile.
    assert seen["evicted"] >= 1, seen
    assert seen["held_at_end"] + seen["evicted"] + seen["full"] == 1000, seen


# --- Flask: no thread for a long head, a deadline for every head, a fair share per address -----

FLASK_ATTACK = """
    import json, select, socket, time
    SECONDS = {seconds}
    start = time.monotonic()
    conns = {{}}  # socket -> what we know of it

    def open_one(kind, first):
        try:
            s = socket.create_connection(("flask", 5000), timeout=5)
            s.sendall(first)
        except OSError as err:
            return
        conns[s] = {{"kind": kind, "opened": time.monotonic(), "answer": b"", "closed": None, "served": None}}

    pad = b"X-Pad: " + b"a" * 33000 + b"\\r\\n"
    for n in range(50):  # over 64 KiB of headers, no end: this took a thread before
        open_one("big", b"GET / HTTP/1.1\\r\\nHost: flask\\r\\n" + pad + pad)
    for n in range(40):  # a request line, then a header line now and then
        open_one("slow", b"GET / HTTP/1.1\\r\\nHost: flask\\r\\n")
    for n in range(24):  # a whole request (a thread), then the next one on it, trickled (if kept alive)
        open_one("keep", b"GET / HTTP/1.1\\r\\nHost: flask\\r\\n\\r\\n")
    tick = 0.0
    while time.monotonic() - start < SECONDS:
        live = [s for s, c in conns.items() if c["closed"] is None]
        readable, _, _ = select.select(live, [], [], 0.2) if live else ([], [], [])
        for s in readable:
            c = conns[s]
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                c["closed"] = time.monotonic()
                continue
            c["answer"] += data
            if c["kind"] == "keep" and c["served"] is None and c["answer"].endswith(b"Hello World!"):
                c["served"] = time.monotonic()
                s.sendall(b"GET / HTTP/1.1\\r\\nHost: flask\\r\\n")  # the next request, never ended
        if time.monotonic() - tick >= 2:  # a header line on every open one, every 2 s
            tick = time.monotonic()
            for s, c in conns.items():
                if c["closed"] is None and (c["kind"] != "keep" or c["served"]):
                    try:
                        s.sendall(b"X-Trickle: y\\r\\n")
                    except OSError:
                        c["closed"] = time.monotonic()

    def of(kind):
        mine = [c for c in conns.values() if c["kind"] == kind]
        since = [(c["closed"] - (c["served"] or c["opened"])) for c in mine if c["closed"]]
        return {{"n": len(mine), "open": sum(c["closed"] is None for c in mine),
                "max_s": round(max(since, default=0), 2),
                "431": sum(c["answer"].startswith(b"HTTP/1.0 431 ") for c in mine),
                "served": sum(c["served"] is not None for c in mine)}}

    print(json.dumps({{kind: of(kind) for kind in ("big", "slow", "keep")}}))
"""


def test_flask_a_client_with_long_heads_and_trickled_headers_holds_no_other_addresss_requests(
    tmp_path, baseline, nothing
):
    attack = write(tmp_path, "attack.py", FLASK_ATTACK.format(seconds=22))
    result = side_by_side((LAB1, attack, 40), [LAB1, LAB2, LAB10], baseline, nothing, delay=3)
    seen = summary(result)
    print(f"\nthe attacker's connections: {seen}")
    # Every head over 64 KiB was answered 431 by the loop at once, never given a thread ...
    assert seen["big"]["431"] == seen["big"]["n"] == 50 and seen["big"]["max_s"] < 3, seen
    # ... the trickled heads were closed at their deadline (10 s from the accept; the sweep runs
    # once a second) ...
    assert seen["slow"]["open"] == 0 and 9 < seen["slow"]["max_s"] < 14, seen
    # ... and a whole request was served, and its connection then held for 10 s at most (Werkzeug
    # answers with Connection: close; were it kept alive, its next head has 10 s too).
    assert seen["keep"]["served"] == seen["keep"]["n"] == 24, seen
    assert seen["keep"]["open"] == 0 and seen["keep"]["max_s"] < 14, seen


# --- rsyslog: a run's lines are its uid's, in both generations, split at "\n" only -------------


ROTATE_AT = 32 * 1024 * 1024  # rsyslog.conf's rotation.sizeLimit of each evidence copy


def rotate_both(workbench, rsyslog) -> None:
    """Flood /dev/log from the workbench (root: uid 0, no run's) until rsyslog has rotated both
    evidence copies once, as it does at 32 MiB, and neither twice: the two files rotate at
    different moments (their lines differ in length), so the flood comes in measured parts, each
    written out before the next, never more than the already rotated file has room for. (A flood
    of fixed 8 MB parts once rotated one file twice, taking the run's lines with it.)"""
    files = "/var/log/lab/syslog /var/log/lab/priority.log"

    def now() -> list[tuple[str, int]]:  # (inode, size) of each, once rsyslog stopped writing
        last = None
        while True:
            seen = rsyslog.check_output(f"stat -c '%i %s' {files}").split()
            pairs = [(seen[i], int(seen[i + 1])) for i in (0, 2)]
            if pairs == last:
                return pairs
            last = pairs
            time.sleep(0.3)

    before = [inode for inode, _ in now()]
    deadline = time.monotonic() + 180
    while True:
        state = now()
        rotated = [inode != was for (inode, _), was in zip(state, before, strict=True)]
        if all(rotated):
            return
        assert time.monotonic() < deadline, "rsyslog did not rotate its files"
        need = max(ROTATE_AT - size for (_, size), done in zip(state, rotated, strict=True) if not done)
        room = min(
            (ROTATE_AT - size for (_, size), done in zip(state, rotated, strict=True) if done),
            default=ROTATE_AT,
        )
        size = max(64 * 1024, min(8 * 1024 * 1024, need + 64 * 1024, room - 1024 * 1024))
        flood = (
            "import socket\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.connect('/dev/log')\n"
            f"for n in range({size // 4000 + 1}):\n    s.send(b'<13>rotate ' + b'r' * 4000)\n"
        )
        workbench.check_output("python3 -c %s", flood)


@pytest.mark.parametrize("lab", [LAB3, LAB4], ids=["lab3", "lab4"])
def test_syslog_a_runs_lines_survive_a_rotation_between_its_send_and_its_checks(
    lab, baseline, nothing, monkeypatch
):
    workbench = service_host("workbench", stack.container_id("workbench"))
    rsyslog = service_host("rsyslog", stack.container_id("rsyslog"))
    real = checks.run
    rotated = []

    def rotate_first(*args, **kwargs):
        rotate_both(workbench, rsyslog)
        rotated.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(checks, "run", rotate_first)
    assert graded(run(lab, lab.solution_path)) == baseline[lab.key][0]
    assert graded(run(lab, nothing)) == baseline[lab.key][1]
    assert len(rotated) == 2


SPLIT_FORGERY = """
    import os, socket
    from logging.handlers import SysLogHandler as H
    token = os.environ["LAB_TOKEN"]
    f, v = os.environ["LAB_FACILITY"], os.environ["LAB_SEVERITY"]
    right, info = H.facility_names[f] * 8 + H.priority_names[v], H.facility_names[f] * 8 + 6
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect("/dev/log")
    s.send(f"*****************hello-{{token}}*****************".encode())
    # info is not the learner's severity: a second "line" after {sep} says the learner's priority.
    said = f"*****hello {{token}}*****"
    s.send(f"<{{info}}>lab3: {{said}}{sep}<{{right}}> {{f}}.{{v}} lab3: {{said}}".encode())
"""


@pytest.mark.parametrize("sep", ["\u2028", "\x1c", "\x85"], ids=["U+2028", "x1c", "U+0085"])
def test_syslog_a_line_forged_after_a_line_separator_inside_a_datagram_does_not_pass_lab3(tmp_path, sep):
    escaped = sep.encode("unicode_escape").decode()  # the separator as an escape, in the source
    forged = write(tmp_path, "forged.py", SPLIT_FORGERY.format(sep=escaped))
    result = graded(run(LAB3, forged))
    assert result["test_a_datagram_with_a_pri_header_went_to_dev_log"]  # it was sent ...
    # ... and read as one line, at the learner's facility but severity info:
    assert not result["test_it_was_logged_at_your_priority_tagged_lab3"], result


def test_syslog_lines_are_the_senders_uid_the_sandboxs_for_a_run_and_0_for_root(tmp_path):
    probe = write(
        tmp_path,
        "probe.py",
        """
        import os, socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect("/dev/log")
        s.send(f"<132>lab3: uid probe {os.environ['LAB_TOKEN']} {os.getuid()}".encode())
        """,
    )
    token = new_token(LAB3)
    result = run(LAB3, probe, token)
    rsyslog = service_host("rsyslog", stack.container_id("rsyslog"))
    line = rsyslog.check_output(
        f"grep -aF -- 'uid probe {token}' /var/log/lab/syslog.1 /var/log/lab/syslog | tail -1"
    )
    uid, said = line.split(":", 1)[1].split(" ", 1)[0], line.rsplit(" ", 1)[1]
    assert uid == said and int(uid) >= 1_000_000, (line, result.exercise.output)  # the sandbox's own uid
    workbench = service_host("workbench", stack.container_id("workbench"))
    workbench.check_output(f"logger -t socketlab-test root-{token}")
    assert rsyslog.check_output(f"grep -aF -- 'root-{token}' /var/log/lab/syslog").startswith("0 ")


# --- lab 8: an access line is read by its fields ----------------------------------------------


def test_lab8_a_request_line_holding_a_quoted_200_is_judged_as_what_flask_answered(tmp_path):
    source = LAB8.solution_path.read_text()
    request = 'f"GET /?run={token} HTTP/1.1\\r\\n'
    assert request in source
    forged = write(
        tmp_path, "forged.py", source.replace(request, 'f"GET /?run={token} \\" 200 HTTP/1.1\\r\\n')
    )
    result = run(LAB8, forged)
    found = {c.name: c for c in result.checks}["test_flask_logged_the_request_from_the_workbench"]
    assert not found.passed, found
    assert '" 400 ' in found.reason, found.reason  # what Werkzeug answered, as the log says
