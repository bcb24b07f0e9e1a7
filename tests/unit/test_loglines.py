"""The servers' lines, read as they write them, and a run's lines told by who sent them
(lab_runner/loglines.py, lab_runner/identity.py): no Docker."""

import subprocess

import pytest

from lab_runner import loglines
from lab_runner.identity import Identity, uid_of
from lab_runner.loglines import Access, access, chat_peer, chat_sent, split, werkzeug
from lab_runner.paths import ROOT

ME, THEM = Identity("172.20.0.6"), Identity("172.20.0.7")
TOKEN = "lab8-0123456789ab"


def test_a_uid_is_one_million_and_the_low_24_bits_of_the_address_as_lab_run_computes_it():
    assert uid_of("172.20.0.6") == 1_000_000 + (20 << 16) + 6 == ME.uid
    assert uid_of("10.255.1.2") == 1_000_000 + (255 << 16) + (1 << 8) + 2
    assert "lab_runner/identity.py" in (ROOT / "images/workbench/lab-run").read_text()  # it points here


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x1c", "\x1d", "\x1e", "\x85", "\r", "\x0b", "\x0c"])
def test_a_line_ends_at_a_newline_and_nowhere_else(sep):
    forged = f"<131>lab3: {TOKEN} x{sep}<132> local0.warning lab3: {TOKEN}"
    data = f"{forged}\nnext\n".encode()
    assert len(data.decode().splitlines()) > 2  # what str.splitlines() made of it
    assert split(data) == [forged, "next"]


def test_split_keeps_a_last_line_without_its_newline_and_replaces_bytes_that_are_not_utf8():
    assert split(b"a\nb") == ["a", "b"]
    assert split(b"") == []
    assert split(b"caf\xe9\n") == ["caf\ufffd"]


def test_an_access_line_is_read_by_its_fields_from_the_end():
    line = f'172.20.0.6 - - [05/Dec/2026 09:00:00] "GET /?run={TOKEN} " 200 HTTP/1.1" 400 -'
    assert access(line) == Access(
        "172.20.0.6", "05/Dec/2026 09:00:00", f'GET /?run={TOKEN} " 200 HTTP/1.1', 400, "-"
    )
    assert access('172.20.0.6 - - [05/Dec/2026 09:00:00] "GET / HTTP/1.1" 200 12').size == "12"


@pytest.mark.parametrize(
    "line",
    [
        "Done !",
        "172.20.0.6 - - [05/Dec/2026 09:00:00] code 400, message Bad request syntax ('hello')",
        '172.20.0.6 - - [05/Dec/2026 09:00:00] "GET / HTTP/1.1" 200',  # no size
        'x "GET / HTTP/1.1" 200 -',  # no client and time
    ],
)
def test_a_line_that_is_no_access_line_is_none(line):
    assert access(line) is None


def test_werkzeug_lines_give_client_time_and_message():
    said = werkzeug("172.20.0.6 - - [05/Dec/2026 09:00:00] code 400, message Bad request syntax ('hello')")
    assert said == ("172.20.0.6", "05/Dec/2026 09:00:00", "code 400, message Bad request syntax ('hello')")


def test_chat_lines_name_their_connection_where_the_server_puts_it():
    assert chat_peer("Accepted connection from: ('172.20.0.6', 40312)") == ("172.20.0.6", 40312)
    said = f"('172.20.0.6', 40312) This is what the client sent: hi {TOKEN}"
    assert chat_peer(said) == ("172.20.0.6", 40312)
    assert chat_sent(said) == (("172.20.0.6", 40312), f"hi {TOKEN}")
    # A client's text cannot name another connection: only what comes before it counts.
    forged = "('172.20.0.7', 1) This is what the client sent: Accepted connection from: ('172.20.0.6', 2)"
    assert chat_peer(forged) == ("172.20.0.7", 1)
    assert (
        chat_peer("This is what the client sent: ('172.20.0.6', 1) This is what the client sent: x") is None
    )
    assert chat_sent("Accepted connection from: ('172.20.0.6', 40312)") is None


CHAT = [
    "Chat server listening on 0.0.0.0:12345",
    "Accepted connection from: ('172.20.0.6', 40312)",
    f"('172.20.0.7', 50000) This is what the client sent: {TOKEN} forged by a classmate",
    f"('172.20.0.6', 40312) This is what the client sent: {TOKEN} mine",
    "Connection closed: ('172.20.0.6', 40312)",
    "Accepted connection from: ('172.20.0.60', 1)",
]
FLASK = [
    f'172.20.0.6 - - [05/Dec/2026 09:00:00] "GET /?run={TOKEN} HTTP/1.1" 200 -',
    "Done !",
    f'172.20.0.7 - - [05/Dec/2026 09:00:00] "GET /?run={TOKEN} HTTP/1.1" 200 -',
    f'172.20.0.60 - - [05/Dec/2026 09:00:00] "GET /?run={TOKEN} HTTP/1.1" 200 -',
]
SYSLOG = [
    f"{ME.uid} Dec  5 09:17:15 rsyslog lab3: {TOKEN} mine",
    f"{THEM.uid} Dec  5 09:17:15 rsyslog lab3: {TOKEN} forged",
    f"0 Dec  5 09:17:15 rsyslog root: {TOKEN}",
    f" Dec  5 09:17:15 rsyslog nouid: {TOKEN}",
]


def test_a_run_gets_its_own_lines_of_each_log_and_no_one_elses():
    assert loglines.of(loglines.CHAT_LOG, CHAT, ME) == [CHAT[1], CHAT[3], CHAT[4]]
    assert loglines.of(loglines.FLASK_LOG, FLASK, ME) == [FLASK[0]]
    assert loglines.of("/var/log/syslog", SYSLOG, ME) == [f"Dec  5 09:17:15 rsyslog lab3: {TOKEN} mine"]
    assert loglines.of("/var/log/priority.log", SYSLOG, THEM) == [
        f"Dec  5 09:17:15 rsyslog lab3: {TOKEN} forged"
    ]


def test_without_an_identity_every_line_is_read_and_the_uid_still_taken_off():
    assert loglines.of(loglines.CHAT_LOG, CHAT, None) == CHAT
    assert [line.split(" rsyslog ")[1] for line in loglines.of("/var/log/syslog", SYSLOG, None)] == [
        f"lab3: {TOKEN} mine", f"lab3: {TOKEN} forged", f"root: {TOKEN}",
    ]  # fmt: skip


def test_a_log_without_a_way_to_tell_whose_lines_is_an_error():
    with pytest.raises(ValueError, match="no way to tell"):
        loglines.of("/etc/passwd", ["x"], ME)


def test_syslog_is_read_from_its_evidence_copy_and_its_previous_generation(tmp_path):
    assert loglines.source("/var/log/syslog") == "/var/log/lab/syslog"
    assert loglines.source(loglines.CHAT_LOG) == loglines.CHAT_LOG
    # The command itself, on files here: the previous generation first, then the current one.
    log = tmp_path / "chat.log"
    (tmp_path / "chat.log.1").write_bytes(f"old {TOKEN}\nother\n".encode())
    log.write_bytes(f"new {TOKEN}\u2028still new\n".encode())
    cmd = loglines.read_command(str(log), [TOKEN])
    done = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True)
    assert done.returncode == 0
    assert split(done.stdout) == [f"old {TOKEN}", f"new {TOKEN}\u2028still new"]
    # Numbered, with the lines before: as grep -n -B shows them.
    done = subprocess.run(["/bin/sh", "-c", loglines.read_command(str(log), ["other"], before=1, whole=True)],
                          capture_output=True)  # fmt: skip
    assert split(done.stdout) == [f"1-old {TOKEN}", "2:other"]
