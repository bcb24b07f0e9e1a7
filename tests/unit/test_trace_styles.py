"""The trace reader on styles the checks once misread, recorded from tests/fixtures/strace/styles.py
in the workbench (with lab-run's strace options and filter)."""

from pathlib import Path

from lab_runner.trace import Trace, address

LINES = (Path(__file__).parent.parent / "fixtures" / "strace" / "styles.trace").read_text().splitlines()
TRACE = Trace.parse(LINES)


def streams(family):
    return TRACE.of(family, "SOCK_STREAM")


def test_os_read_on_fileno_reading_0_is_the_end_of_the_stream():
    client = next(s for s in streams("AF_INET") if s.sent == [b"os.write on fileno\r\n"])
    assert [c.name for c in client.calls if c.name == "read"] == ["read", "read"]
    assert client.received == [b"answer", b""] and client.ended
    server_side = next(s for s in streams("AF_INET") if s.received[:1] == [b"os.write on fileno\r\n"])
    assert not server_side.ended  # it closed first: it never read the end


def test_sendfile_then_writev_keeps_the_writev_bytes_and_counts_the_unseen_ones():
    client = next(s for s in streams("AF_INET") if s.made("sendfile"))
    first = client.made("sendfile")[0]
    assert first.ret == 17 and first.data == b"" and first.unseen == 17
    assert b"".join(client.sent) == b"\r\n" and client.unseen == 17
    receiver = next(s for s in streams("AF_INET") if b"hello from a file" in b"".join(s.received))
    assert receiver.unseen == 0


def test_an_abstract_name_and_a_file_named_at_something_are_told_apart():
    abstract, named = [s for s in streams("AF_UNIX") if s.made("bind") and s.bound != "/tmp/styles.sock"]
    assert abstract.bound == "@styles-abstract"
    assert named.bound == "./@styles-file"  # the same file as "@styles-file", never "@" first
    assert address('{sa_family=AF_UNIX, sun_path="@x"}') != address('{sa_family=AF_UNIX, sun_path=@"x"}')


def test_a_dual_stack_server_reads_its_ipv4_clients_as_ipv4():
    (conn,) = [s for s in streams("AF_INET6") if s.calls[0].name == "accept4"]
    client = next(s for s in streams("AF_INET") if s.peer and s.peer[1] == conn_port(conn))
    assert conn.peer[0] == "127.0.0.1"  # strace: inet_pton(AF_INET6, "::ffff:127.0.0.1", ...)
    assert client.peer[0] == "127.0.0.1"


def conn_port(conn):
    return address(conn.made("getsockname")[0].args)[1]


def test_so_peercred_is_read_whole_or_as_its_pid_alone():
    conn = next(s for s in streams("AF_UNIX") if s.made("getsockopt"))
    whole, pid_only = [c.args for c in conn.made("getsockopt")]
    assert "{pid=" in whole and "uid=" in whole
    assert pid_only.split(", ")[3].startswith("{pid=") and "uid=" not in pid_only
