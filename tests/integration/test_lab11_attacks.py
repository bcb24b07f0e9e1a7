"""Lab 11's attacks: servers written to pass its checks without framing a message. Each is a
real exercise run through lab_runner on the real stack; the checks must fail them, each with
what it saw."""

import json
import textwrap

import pytest
from runner import lab_runner

from lab_runner import labs

LAB = labs.resolve("lab11")
FRAMED = [c for step in LAB.steps[1:] for c in step.checks]  # steps 2 and 3: every message whole

# Both ports listen; each connection is HANDLE(conn, port), one client at a time per port.
SERVER = """
import os, socket, threading
token = os.environ["LAB_TOKEN"]
D = os.environ.get("LAB_DELIMITER", "|").encode()
W = int(os.environ.get("LAB_PREFIX", "4"))

def recv_exactly(conn, n):
    data = b""
    while len(data) < n and (more := conn.recv(n - len(data))):
        data += more
    return data

def serve(port):
    server = socket.create_server(("0.0.0.0", port))
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                handle(conn, port)
            except OSError:
                pass

threading.Thread(target=serve, args=(12347,), daemon=True).start()
serve(12346)
"""


def run(tmp_path, name: str, handle: str) -> dict:
    path = tmp_path / name
    path.write_text(textwrap.dedent(handle) + SERVER)
    done = lab_runner(LAB.key, "--exercise", str(path), "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)["labs"][0]


def results(doc: dict) -> dict[str, dict]:
    return {c["name"]: c for step in doc["steps"] for c in step["checks"]}


@pytest.fixture(scope="module")
def solution_passes():
    done = lab_runner(LAB.key, "--solution", "--json")
    assert json.loads(done.stdout)["labs"][0]["passed"], done.stdout[-2000:]


def test_canned_replies_built_from_the_token_fail_every_framed_check(tmp_path, solution_passes):
    """It knows the words and the token, and answers with them at once: not the random tails."""
    doc = run(
        tmp_path,
        "canned.py",
        """
        WORDS = {12346: ["one", "two", "three"], 12347: ["nine", "ten", "eleven"]}
        def handle(conn, port):
            conn.recv(1024)
            for word in WORDS[port]:
                reply = f"{word} {token}"[::-1].encode()
                conn.sendall(reply + D if port == 12346 else len(reply).to_bytes(W, "big") + reply)
            while conn.recv(1024):
                pass
        """,
    )
    found = results(doc)
    passed = [name for name in FRAMED if found[name]["passed"]]
    assert not passed, f"canned replies passed {passed}"
    assert "Your server answered" in found[FRAMED[0]]["reason"]


def test_a_server_that_reads_a_fixed_size_per_message_fails_every_framed_check(tmp_path, solution_passes):
    """Sized for messages the reference run sent: each run's messages have tails of random length."""
    doc = run(
        tmp_path,
        "fixed.py",
        """
        SIZE = 60  # bytes per message, delimiter or prefix included: what one run's messages took
        def handle(conn, port):
            while len(message := recv_exactly(conn, SIZE)) == SIZE:
                body = message[:-1] if port == 12346 else message[W:]
                reply = body[::-1]
                conn.sendall(reply + D if port == 12346 else len(reply).to_bytes(W, "big") + reply)
        """,
    )
    found = results(doc)
    passed = [name for name in FRAMED if found[name]["passed"]]
    assert not passed, f"fixed-size reads passed {passed}"


def test_a_forgery_that_prints_a_passing_run_and_listens_passes_no_check_but_listening(tmp_path):
    """It prints what the solution printed, with this run's token, and closes each connection unread."""
    good = json.loads(lab_runner(LAB.key, "--solution", "--json").stdout)["labs"][0]
    doc = run(
        tmp_path,
        "forged.py",
        f"""
        import sys, time
        OUTPUT = {good["exercise"]["output"]!r}
        def handle(conn, port):
            sys.stdout.write(OUTPUT.replace({good["token"]!r}, token))
            sys.stdout.flush()
            time.sleep(0.2)
        """,
    )
    passed = sorted(name for name, c in results(doc).items() if c["passed"])
    assert passed in ([], ["test_your_server_listens_on_port_12346"]), passed
