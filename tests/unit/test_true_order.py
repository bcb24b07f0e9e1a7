"""True order: a server's line is drawn no earlier than the last byte of the request it answers.

Flask's log has whole seconds, so its lines are placed by their cause, and say so: lab 2's
200 line once the empty line ended the request (not after the request line's piece, 0.3 s
earlier), lab 1's 400 once the line end, or the end of the stream, reached the server."""

from recorded_runs import record

from lab_runner import causal
from lab_runner.exchange import Exchange
from lab_runner.exercise_result import ExerciseResult


def flask_lines(rec: dict) -> list[dict]:
    return [e for e in rec["events"] if e["kind"] == "log" and e["lane"] == "flask"]


def test_lab2_flask_answers_a_request_in_pieces_only_after_its_empty_line():
    rec, d = record("lab2-solution")
    (line,) = [e for e in flask_lines(rec) if "&step=2 " in e["text"]]
    pieces = [e for e in rec["events"] if e["kind"] == "send" and e["lane"] == line["of"]]
    assert len(pieces) == 2 and pieces[1]["bytes"].endswith("\\r\\n\\r\\n")
    assert pieces[1]["t"] - pieces[0]["t"] > 0.25  # the solution waits 0.3 s between them
    assert line["t"] >= pieces[1]["t"] and line["id"] > pieces[1]["id"]
    assert line["placed"].startswith("by cause: after the empty line")


def test_lab1_a_line_with_no_line_end_is_answered_after_the_end_of_the_stream():
    rec, _ = record("lab1-starter")
    (shutdown,) = [e for e in rec["events"] if e["kind"] == "shutdown"]
    lines = flask_lines(rec)
    assert lines and all(e["t"] > shutdown["t"] and "end of the stream" in e["placed"] for e in lines)
    rec, _ = record("lab1-solution")
    ended = [e for e in flask_lines(rec) if "after the line end" in e["placed"]]
    (send,) = [e for e in rec["events"] if e["kind"] == "send" and e["bytes"].endswith("\\r\\n")]
    assert ended and all(e["t"] >= send["t"] and e["of"] == send["lane"] for e in ended)


def test_chat_has_no_clock_so_its_lines_follow_the_packets_that_caused_them():
    rec, _ = record("lab6-solution")
    chat = [e for e in rec["events"] if e["kind"] == "log" and e["lane"] == "chat"]
    assert chat and all(e["placed"].startswith("by cause") for e in chat)
    (accepted,) = [e for e in chat if e["text"].startswith("Accepted connection")]
    handshake = [e for e in rec["events"] if e["kind"] == "packet" and e["from"] == accepted["of"]][:2]
    assert [p["flags"] for p in handshake] == ["SYN", "ACK"] and accepted["id"] > handshake[1]["id"]
    (closed,) = [e for e in chat if e["text"].startswith("Connection closed")]
    fin = [
        e
        for e in rec["events"]
        if e["kind"] == "packet" and e["from"] == closed["of"] and "FIN" in e["flags"]
    ]
    assert fin and closed["t"] >= fin[0]["t"]


def test_every_servers_line_says_how_it_was_placed():
    for name in ("lab1-solution", "lab2-solution", "lab3-solution", "lab6-solution", "lab8-solution"):
        rec, _ = record(name)
        lines = [e for e in rec["events"] if e["kind"] == "log"]
        assert lines and all(e.get("placed", "").startswith("by cause") for e in lines), name


# --- a recv after the packet that brought it (lab_runner/causal.py) -----------------------------


def packet(t, flags, length):
    return {
        "t": t,
        "kind": "packet",
        "lane": "wire",
        "from": "c",
        "to": "s",
        "flags": flags,
        "length": length,
    }


def _events():
    """Lab 14's starter as CI once recorded it: the server's recv() of b'' and the client's FIN
    at the same microsecond, the recv first (strace's and the capture's times disagree)."""
    return [
        packet(0.01000, "PSH-ACK", 24),
        {"t": 0.01004, "kind": "recv", "lane": "s", "size": 24},
        {"t": 0.01009, "kind": "close", "lane": "c"},
        {"t": 0.01010, "kind": "recv", "lane": "s", "size": 0, "eof": True},
        packet(0.01010, "FIN-ACK", 0),
        {"t": 0.01032, "kind": "send", "lane": "s", "size": 114342},
    ]


def order(events):
    return [(e["kind"], e.get("flags")) for e in sorted(events, key=lambda e: e["t"])]


def test_the_end_of_the_stream_is_read_after_the_fin_that_brought_it():
    events = _events()
    causal.settle(events)
    assert order(events)[3:] == [("packet", "FIN-ACK"), ("recv", None), ("send", None)]
    moved = [e["t"] for e in events]
    causal.settle(events)  # a record is made more than once: the same times again
    assert [e["t"] for e in events] == moved


def test_bytes_are_read_after_the_packet_that_carried_them():
    events = _events()
    events[1]["t"] = events[0]["t"] - 0.00001  # the recv "before" its PSH, by 10 microseconds
    causal.settle(events)
    assert order(events)[:2] == [("packet", "PSH-ACK"), ("recv", None)]


def test_a_recv_far_from_its_packet_or_its_sockets_next_call_stays_where_its_times_put_it():
    far = _events()
    far[3]["t"] = far[4]["t"] - 0.01  # 10 ms: not two watchers' disagreement, left as it is
    causal.settle(far)
    assert far[3]["t"] == far[4]["t"] - 0.01
    crowded = _events()
    crowded[5]["t"] = crowded[4]["t"]  # the socket's next call at the packet's time: never passed
    causal.settle(crowded)
    assert crowded[3]["t"] == 0.01010


# Lab 7's socketpair, as strace wrote it in a run whose page lost its last lesson event: the
# parent's recv() of "pong" returned, by its entry time plus its -T time, at .149893, before the
# child's send() of it (.149906). No packet is in between (a Unix socket): the send is the cause.
PONG = """\
17    1796492072.146455 socketpair(AF_UNIX, SOCK_STREAM, 0, [3<socket:[63]>, 4<socket:[64]>]) = 0 <0.000009>
17    1796492072.146857 clone(child_stack=NULL, flags=SIGCHLD) = 26 <0.001332>
17    1796492072.148461 sendto(3<socket:[63]>, "ping", 4, 0, NULL, 0) = 4 <0.000222>
17    1796492072.148759 recvfrom(3<socket:[63]>,  <unfinished ...>
26    1796492072.149569 recvfrom(4<socket:[64]>, "ping", 1024, 0, NULL, NULL) = 4 <0.000007>
26    1796492072.149906 sendto(4<socket:[64]>, "pong", 4, 0, NULL, 0 <unfinished ...>
17    1796492072.149940 <... recvfrom resumed>"pong", 1024, 0, NULL, NULL) = 4 <0.001134>
26    1796492072.149978 <... sendto resumed>) = 4 <0.000048>
"""


def exchanged(trace: str) -> list[dict]:
    ran = ExerciseResult(file="x.py", exit_code=0, output="", seconds=0.1, trace=trace.splitlines(),
                         started_at=1796492072.0)  # fmt: skip
    return Exchange(ran, "tok", {}).record()["events"]


def test_a_recv_is_drawn_after_the_peers_send_that_woke_it():
    told = [(e["kind"], e.get("bytes")) for e in exchanged(PONG) if e["kind"] in ("send", "recv")]
    assert told == [("send", "ping"), ("recv", "ping"), ("send", "pong"), ("recv", "pong")]


# Lab 7's first step in the same run's kind: the server's accept() returned, by its times, 14 us
# before the client's connect() to it was made.
ACCEPT = """17    1796492072.100000 socket(AF_UNIX, SOCK_STREAM, 0) = 3<socket:[31]> <0.000009>
17    1796492072.100100 bind(3<socket:[31]>, {sa_family=AF_UNIX, sun_path="/t"}, 5) = 0 <0.000020>
17    1796492072.100200 listen(3<socket:[31]>, 1) = 0 <0.000009>
17    1796492072.105274 vfork( <unfinished ...>
17    1796492072.105586 <... vfork resumed>) = 25 <0.000300>
17    1796492072.106040 accept4(3<socket:[31]>,  <unfinished ...>
25    1796492072.142300 socket(AF_UNIX, SOCK_STREAM, 0) = 3<socket:[62]> <0.000009>
25    1796492072.142394 connect(3<socket:[62]>, {sa_family=AF_UNIX, sun_path="/t"}, 5 <unfinished ...>
17    1796492072.142428 <... accept4 resumed>{sa_family=AF_UNIX}, [2], 0) = 4<socket:[57]> <0.036340>
25    1796492072.142490 <... connect resumed>) = 0 <0.000083>
"""


def test_an_accept_is_drawn_after_the_connect_it_answers():
    told = [e["kind"] for e in exchanged(ACCEPT) if e["kind"] in ("connect", "accept")]
    assert told == ["connect", "accept"]
