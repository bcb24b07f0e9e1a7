"""The exchange in the terminal: the ladder and the command that sends the same bytes by hand,
drawn from real runs (tests/unit/exchanges)."""

import ast
import shlex

import pytest
from recorded_runs import NAMES, record

from lab_runner import ladder


@pytest.mark.parametrize("name", NAMES)
def test_the_ladder_is_short_and_fits_a_terminal(name):
    drawn = ladder.lines(record(name)[0])
    assert drawn and len(drawn) <= ladder.ROWS + 2  # a header, at most ROWS rows, what was left out
    assert all(len(line) <= 8 + ladder.LANES * ladder.COL + 2 + 72 for line in drawn)


def test_lab1_arrows_carry_their_byte_counts_and_flasks_line_sits_beside_them():
    rec, d = record("lab1-solution")
    drawn = ladder.lines(rec)
    assert "flask" in drawn[0] and "pid" in drawn[0]
    assert any("connect" in line and ">" in line for line in drawn)
    assert any("23 B" in line and "->" in line and f"hello-{d['token']}" in line for line in drawn)
    assert any("378 B" in line and "<-" in line for line in drawn)
    assert any("Bad request syntax" in line and not line.startswith("172.") for line in drawn)


def test_a_wide_exchange_keeps_its_first_lanes_and_says_what_it_left_out():
    drawn = ladder.lines(record("lab6-solution")[0])
    assert "chat" in drawn[0] and drawn[-1].strip().startswith("(and ") and "the page" in drawn[-1]
    spinning = ladder.lines(record("lab6-starter")[0])
    assert any("0 B x" in line for line in spinning)  # the spinning recv() loop, told once per run


@pytest.mark.parametrize(("name", "server"), [("lab1-solution", "flask"), ("lab3-starter", "/dev/log"),
                                              ("lab6-starter", "chat")])  # fmt: skip
def test_by_hand_sends_the_same_bytes_to_the_same_server(name, server):
    rec, d = record(name)
    command = ladder.by_hand(rec)
    words = shlex.split(command)
    assert words[:6] == ["docker", "compose", "exec", "workbench", "python3", "-c"]
    code = words[6]
    ast.parse(code)
    assert server in code and d["token"] in code


def test_bytes_literals_survive_any_quotes():
    for data in [b'it\'s "x" \\ \r\n\x00\xff', b"plain", b"'", b'"']:
        assert ast.literal_eval(ladder._literal(data)) == data


def test_by_hand_sends_each_datagram_alone_and_reads_a_stream_to_its_end():
    rec, d = record("lab3-solution")
    datagrams = [e for e in rec["events"] if e["kind"] == "send"]
    first = datagrams[0]["lane"]
    code = shlex.split(ladder.by_hand(rec))[6]
    assert code.count("s.send(") == len([e for e in datagrams if e["lane"] == first]) >= 2
    stream = shlex.split(ladder.by_hand(record("lab1-solution")[0]))[6]
    assert 'iter(lambda: s.recv(65536), b"")' in stream and "print(s.recv(" not in stream
    assert "shutdown" in stream  # lab 1's first connection shut down its side: so does the line
    rec = record("lab1-solution")[0]
    lane = next(e["lane"] for e in rec["events"] if e["kind"] == "shutdown")
    rec["events"] = [e for e in rec["events"] if not (e["lane"] == lane and e["kind"] == "shutdown")]
    assert "shutdown" not in shlex.split(ladder.by_hand(rec))[6]  # a run with no shutdown(): none
