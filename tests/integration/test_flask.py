"""The first article's experiment: the Flask server's socket is where bytes meet the server."""

import socket
import time

import published
import pytest
from logs import LogCursor

from lab_runner import stack

LOG = "/var/log/flask/flask.log"


def send_raw(payload: bytes) -> bytes:
    """Connect from the host (to the port the stack publishes), write PAYLOAD, close our side,
    and read what comes back."""
    with socket.create_connection(("127.0.0.1", published.port("flask")), timeout=10) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)  # Werkzeug waits for a line end or for our side to close
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_raw_hello_is_a_bad_request_in_the_log(flask):
    cursor = LogCursor(flask, LOG)
    reply = send_raw(b"hello")
    assert b"400" in reply
    new = cursor.wait_for("code 400, message Bad request syntax ('hello')", '"hello" 400 -')
    assert "code 400, message Bad request syntax ('hello')" in new
    assert '"hello" 400 -' in new


def test_raw_hello_from_the_workbench_reaches_flask_by_service_name(flask, workbench, token):
    cursor = LogCursor(flask, LOG)
    script = (
        "import socket; s = socket.create_connection(('flask', 5000)); "
        f"s.sendall(b'hello-{token}'); s.shutdown(socket.SHUT_WR); s.recv(4096)"
    )
    workbench.check_output(f'python3 -c "{script}"')
    assert f"Bad request syntax ('hello-{token}')" in cursor.wait_for(token)


def test_get_returns_hello_world_and_logs_done(flask, token):
    cursor = LogCursor(flask, LOG)
    reply = send_raw(f"GET /?run={token} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    assert reply.startswith(b"HTTP/1.1 200")
    assert reply.endswith(b"Hello World!")
    new = cursor.wait_for(token)
    assert f'"GET /?run={token} HTTP/1.1" 200' in new
    assert "Done !" in new.split(token)[0]  # printed by the view, before the access line


def test_the_log_reaches_docker_logs_too(token):
    send_raw(f"GET /?logs={token} HTTP/1.0\r\n\r\n".encode())
    for _ in range(50):
        logs = stack.compose("logs", "--no-log-prefix", "flask").stdout
        if token in logs:
            break
        time.sleep(0.2)
    assert f"GET /?logs={token}" in logs


@pytest.mark.parametrize(
    ("garbage", "code"), [(b"\x00\xff\xfe junk", 400), (b"GET", 400), (b"A" * 70000, 414)]
)
def test_bad_request_lines_get_an_error_and_the_server_stays_up(flask, garbage, code):
    cursor = LogCursor(flask, LOG)
    reply = send_raw(garbage + b"\r\n\r\n")
    # Not HTTP/1.x, so Werkzeug answers the HTTP/0.9 way: the error page with no status line.
    assert f"HTTP/1.1 {code} ".encode() in reply or f"Error code: {code}".encode() in reply
    assert f"code {code}, message" in cursor.wait_for(f"code {code}, message")
    assert send_raw(b"GET / HTTP/1.0\r\n\r\n").endswith(b"Hello World!")
