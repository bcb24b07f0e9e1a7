"""The exchange record, built from real runs: strace's and tcpdump's lines and the servers' log
lines as the sandbox and the stack gave them (tests/unit/exchanges/*.json, captured from the
solution and the starter of labs 1, 3, 6 and 9; lab 6's spinning starter trimmed to its head
and its end)."""

import json

import pytest
from recorded_runs import NAMES, raw, record

from lab_runner import capture
from lab_runner.exchange import LIMIT
from lab_runner.trace import Trace


def of(rec: dict, **want) -> list[dict]:
    return [e for e in rec["events"] if all(e.get(k) == v for k, v in want.items())]


def lanes(rec: dict, kind: str) -> list[dict]:
    return [lane for lane in rec["lanes"] if lane["kind"] == kind]


@pytest.mark.parametrize("name", NAMES)
def test_every_event_has_a_time_a_lane_and_a_kind_in_time_order(name):
    rec, _ = record(name)
    assert rec["limit"] == LIMIT == 256
    ids = {lane["id"] for lane in rec["lanes"]}
    times = [e["t"] for e in rec["events"]]
    assert times == sorted(times) and times[0] >= 0
    assert [e["id"] for e in rec["events"]] == list(range(len(rec["events"])))
    for e in rec["events"]:
        assert e["lane"] in ids and e["kind"] in {
            "socket", "connect", "bind", "listen", "accept", "send", "recv", "shutdown", "close", "error",
            "packet", "log", "wait", "getsockopt", "setsockopt", "fork", "fault",
        }  # fmt: skip
        for end in ("from", "to"):
            assert e.get(end) is None or e[end] in ids, (e, end)
    json.dumps(rec)  # it goes into the JSON document as it is


def test_lab1_the_connect_the_bytes_the_handshake_and_flasks_line():
    rec, d = record("lab1-solution")
    socks = lanes(rec, "socket")
    assert len(socks) == 2 and all(s["peer"] == "flask" and s["family"] == "AF_INET" for s in socks)
    first = socks[0]["id"]
    assert of(rec, lane=first, kind="connect", to="flask")
    sent = of(rec, lane=first, kind="send")
    assert [e["bytes"] for e in sent] == [f"hello-{d['token']}"] and sent[0]["size"] == len(sent[0]["bytes"])
    syn, synack = of(rec, kind="packet", flags="SYN")[0], of(rec, kind="packet", flags="SYN-ACK")[0]
    assert (syn["from"], syn["to"], syn["seq"]) == (first, "flask", 0)
    assert (synack["from"], synack["to"], synack["ack"]) == ("flask", first, 1)
    data = of(rec, kind="packet", flags="PSH-ACK", to="flask")[0]
    assert data["from"] == first and data["length"] == len(sent[0]["bytes"]) and data["t"] > syn["t"]
    bad = [e for e in of(rec, lane="flask", kind="log") if "Bad request syntax" in e["text"]]
    assert len(bad) == 2 and [e["of"] for e in bad] == [first, socks[1]["id"]]
    assert bad[0]["diff"] == {"sent": f"hello-{d['token']}", "heard": f"hello-{d['token']}", "at": None}
    assert bad[0]["t"] >= data["t"]  # the server's line comes after the bytes reached it
    assert of(rec, lane=socks[1]["id"], kind="recv", eof=True)  # step 2: read until the server closed


def test_lab1_the_starters_one_connection_and_its_shutdown():
    rec, _ = record("lab1-starter")
    (sock,) = lanes(rec, "socket")
    kinds = [e["kind"] for e in rec["events"] if e["lane"] == sock["id"]]
    assert kinds[:3] == ["socket", "connect", "send"] and "shutdown" in kinds
    fin = of(rec, kind="packet", flags="FIN-ACK", **{"from": sock["id"]})
    shutdown = of(rec, lane=sock["id"], kind="shutdown")[0]
    assert fin and fin[0]["t"] >= shutdown["t"]


def test_lab3_a_datagram_to_dev_log_goes_straight_to_rsyslogs_line_two_characters_short():
    rec, d = record("lab3-starter")
    assert not lanes(rec, "wire") and "Unix" in rec["capture"]  # no packets for a Unix socket
    (server,) = lanes(rec, "server")
    assert server["id"] == "rsyslog" and server["path"] == "/dev/log"
    (send,) = of(rec, kind="send")
    assert send["to"] == "rsyslog" and send["call"].startswith("sendto(")
    (line,) = of(rec, kind="log")
    assert line["answers"] == send["id"] and d["token"] in line["text"]
    diff = line["diff"]
    assert diff["sent"].startswith("*****") and diff["heard"].rstrip() == diff["sent"][2:]
    assert diff["at"] == 15  # seventeen stars sent, fifteen heard: the first two became a "priority"


def test_lab3_the_solutions_two_datagrams_each_joined_to_its_line():
    rec, _ = record("lab3-solution")
    sends = of(rec, kind="send")
    logs = of(rec, kind="log")
    assert len(sends) == len(logs) == 2
    assert [e["answers"] for e in logs] == [e["id"] for e in sends]
    assert logs[1]["diff"]["heard"].startswith("lab3: ")  # rsyslog took <132> as the priority


def test_lab6_the_client_the_chat_servers_lines_and_the_learners_own_server():
    rec, d = record("lab6-solution")
    client = next(s for s in lanes(rec, "socket") if s.get("peer") == "chat")
    accepted = next(e for e in of(rec, lane="chat", kind="log") if "Accepted connection" in e["text"])
    assert accepted["of"] == client["id"]  # joined by the port the kernel picked for the client
    heard = [e for e in of(rec, lane="chat", kind="log") if "client sent" in e["text"]]
    assert len(heard) == 3 and all(e["diff"]["at"] is None for e in heard)
    assert [e["answers"] for e in heard] == [e["id"] for e in of(rec, lane=client["id"], kind="send")]
    clients = lanes(rec, "peer")  # the checks' clients, connected to the learner's server
    assert len(clients) >= 4 and all(c["id"].startswith("127.0.0.1:") for c in clients)
    accepts = of(rec, kind="accept")
    assert len(accepts) >= 4 and {e["from"] for e in accepts} <= {c["id"] for c in clients}
    relay = [e for e in of(rec, kind="send") if "A says" in e["bytes"]]
    assert relay and relay[0]["to"] in {c["id"] for c in clients} and relay[0]["lane"] != client["id"]
    syn = [e for e in of(rec, kind="packet", flags="SYN") if e["to"] != "chat"]
    assert syn and all(e["from"] in {c["id"] for c in clients} for e in syn)


def test_lab6_the_starters_glued_line_and_its_spinning_server_told_once():
    rec, d = record("lab6-starter")
    (glued,) = [e for e in of(rec, lane="chat", kind="log") if "client sent" in e["text"]]
    first = f"hi, this is {d['token']}"
    assert glued["diff"]["sent"] == first and glued["diff"]["at"] == len(first)  # "how are you" follows
    spins = [e for e in of(rec, kind="recv", eof=True) if e.get("repeat", 1) > 100]
    assert spins and spins[0]["until"] > spins[0]["t"]
    assert len(rec["events"]) < 200  # 5000 calls of the trace, told in a few events
    assert not [s for s in lanes(rec, "socket") if s["family"] == "AF_NETLINK"]  # the resolver's


def test_lab9_inet_and_unix_sockets_a_udp_datagram_and_emsgsize():
    rec, _ = record("lab9-solution")
    families = {s["family"] for s in lanes(rec, "socket")}
    assert {"AF_INET", "AF_UNIX"} <= families
    assert {s["type"] for s in lanes(rec, "socket")} >= {"SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET"}
    (udp,) = of(rec, kind="packet", proto="UDP")
    big = [e for e in of(rec, kind="send") if e["size"] == 65507]
    assert big and udp["from"] == big[0]["lane"] and udp["length"] == 65507 and big[0]["cut"]
    assert len(big[0]["bytes"]) <= 4 * LIMIT  # escaped, at most LIMIT bytes of it
    receiver = of(rec, kind="recv", size=65507)[0]["lane"]
    assert udp["to"] == receiver
    (refused,) = of(rec, kind="error", errno="EMSGSIZE")
    assert refused["of"] == "sendto"
    pair = [e for e in of(rec, kind="socket") if "pair" in e]
    assert pair and all(of(rec, lane=e["lane"], kind="send") for e in pair[:1])


def test_strace_lines_with_and_without_times_parse_alike():
    call = 'connect(3<socket:[1]>, {sa_family=AF_UNIX, sun_path="/dev/log"}, 11) = 0'
    plain = Trace.parse([f"12 {call}"])
    timed = Trace.parse([f"12    1796171388.017397 {call} <0.000021>"])
    assert str(plain.calls[0]) == str(timed.calls[0])
    assert plain.calls[0].at is None and plain.calls[0].took is None
    assert timed.calls[0].at == 1796171388.017397 and timed.calls[0].took == 2.1e-05
    split = Trace.parse([
        "7 1.500000 recvfrom(3<socket:[9]>,  <unfinished ...>",
        '7 1.900000 <... recvfrom resumed>"hi", 4096, 0, NULL, NULL) = 2 <0.400000>',
    ])  # fmt: skip
    assert split.calls[0].at == 1.5 and split.calls[0].took == 0.4 and split.calls[0].data == b"hi"


@pytest.mark.parametrize(
    ("letters", "words"),
    [("S", "SYN"), ("S.", "SYN-ACK"), (".", "ACK"), ("P.", "PSH-ACK"), ("F.", "FIN-ACK"), ("R", "RST"),
     ("R.", "RST"), ("FP.", "FIN-PSH-ACK")],
)  # fmt: skip
def test_tcp_flags_are_spelled_as_words(letters, words):
    assert capture.flag_words(letters) == words


def test_sequence_numbers_count_from_each_sides_syn():
    packets = capture.parse(raw("lab1-solution")["packets"])
    syn, synack, ack, data = packets[:4]
    assert (syn.seq, synack.seq, synack.ack, ack.ack) == (0, 0, 1, 1)
    assert data.flags == "PSH-ACK" and data.seq == 1 and data.length > 0


def test_a_flood_is_told_by_its_start_and_its_end_and_what_was_left_out(monkeypatch):
    from lab_runner import exchange

    whole, _ = record("lab6-solution")
    monkeypatch.setattr(exchange, "MAX_EVENTS", (20, 5))
    monkeypatch.setattr(exchange, "MAX_LANES", 2)
    cut, _ = record("lab6-solution")
    assert len(cut["events"]) <= 25 and cut["left_out"] == len(whole["events"]) - len(cut["events"])
    assert len([lane for lane in cut["lanes"] if lane["kind"] == "socket"]) == 2
    ids = {lane["id"] for lane in cut["lanes"]}
    assert all(e["lane"] in ids and e.get("to") in ids | {None} for e in cut["events"])


def test_a_line_the_learners_server_passes_on_is_diffed_against_the_line_it_got():
    rec, _ = record("lab6-solution")
    relayed = [e for e in rec["events"] if e.get("diff", {}).get("kind") == "relay"]
    assert len(relayed) == 2 and all(e["diff"]["at"] is None for e in relayed)  # a prefix is the server's
    got = rec["events"][relayed[0]["answers"]]
    assert got["kind"] == "recv" and got["lane"] == relayed[0]["of"] != relayed[0]["lane"]


def test_a_relayed_line_that_differs_gets_its_caret(monkeypatch):
    import recorded_runs

    d = raw("lab6-solution")
    d["trace"] = [line.replace(": A says", ": A sayz") if "sendto" in line else line for line in d["trace"]]
    monkeypatch.setattr(recorded_runs, "raw", lambda name: d)
    rec, _ = record("lab6-solution")
    (bad,) = [e for e in rec["events"] if e.get("diff", {}).get("kind") == "relay" and e["diff"]["at"]]
    diff = bad["diff"]
    assert diff["heard"][diff["at"]] == "z" and diff["sent"][diff["at"] - diff["offset"]] == "s"


def test_a_client_of_the_programs_own_server_meets_the_connection_accept_made():
    """Lab 7: the client process's bytes go to the connection accept() made, not to the listening
    socket (paired by the path, before accept() returned); lab 8: by the client's port."""
    rec, _ = record("lab7-solution")
    (accept,) = of(rec, kind="accept")
    (hello,) = [e for e in of(rec, kind="send") if e["bytes"].startswith("hello from the client")]
    assert accept["from"] == hello["lane"] and hello["to"] == accept["conn"]
    assert [e["from"] for e in of(rec, lane=accept["conn"], kind="recv") if e["size"]] == [hello["lane"]]
    rec, _ = record("lab8-solution")
    (accept,) = of(rec, kind="accept")
    (through,) = [e for e in of(rec, kind="send") if e["bytes"].startswith("through port")]
    assert accept["from"] == through["lane"] and through["to"] == accept["conn"]
