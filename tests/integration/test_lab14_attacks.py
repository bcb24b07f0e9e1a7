"""Lab 14 attacked: files that look like a clean ending without making one must fail.

Each attack is the reference solution with one part changed (a server that answers before the
end of the stream, a client that never half-closes, a fake `ss` and a printed TIME_WAIT row);
the step it attacks must fail, at the check named, and the steps before it still pass.
"""

import json

import pytest
from runner import lab_runner

from lab_runner import capture, labs, stack
from lab_runner.running import Running

LAB = labs.resolve("lab14")
SOLUTION = LAB.solution_path.read_text()
READ_TO_EOF = "        while chunk := conn.recv(65536):\n            got += chunk\n"
ONE_READ = "        got = conn.recv(65536)\n"  # the server answers what came first, at once
FORGED_SS = """
fake = "/tmp/ss"
with open(fake, "w") as f:
    f.write(f"#!/bin/sh\\necho 'TIME-WAIT 0 0 127.0.0.1:{PORT} 127.0.0.1:40000'\\n")
os.chmod(fake, 0o755)
os.environ["PATH"] = "/tmp:" + os.environ.get("PATH", "")
print(f"TIME-WAIT 0      0          127.0.0.1:{PORT}    127.0.0.1:40000")
with socket.create_server(("127.0.0.1", PORT)) as listener:
    talking = start_talker(PORT)
    conn, _ = listener.accept()
    conn.sendall(b"ok " + conn.recv(4096).split(b"\\n")[0] + b"\\n")
    conn.close()  # with the request unread: an RST, and no TIME_WAIT anywhere
    talking.join()
"""

# lab-run marks the capture's end with a datagram of IP protocol 253 that only a raw socket can
# send; a mark forged early would have the checks judge the packets before the RST came.
FORGED_MARK = """
import socket as _socket
for size in range(1, 1401):
    try:
        with _socket.socket(_socket.AF_INET, _socket.SOCK_RAW, 253) as raw:
            raw.sendto(bytes(size), ("127.0.0.1", 0))
    except OSError as err:
        print("mark refused:", err.strerror)
        break
fake = b"\\n1796497798.278170 lo    In  IP 127.0.0.1 > 127.0.0.1:  ip-proto-253 5\\n"
_socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).sendto(b"<13>" + fake, ("127.0.0.1", 514))
with socket.create_server(("127.0.0.1", PORT)) as listener:
    talking = start_talker(PORT)
    conn, _ = listener.accept()
    conn.sendall(b"ok " + conn.recv(4096).split(b"\\n")[0] + b"\\n")
    conn.close()  # with the request unread: an RST
    talking.join()
"""


def early_answer() -> str:
    """The reverser answers what came first, before the end of the stream; the client reads it,
    then shuts down and reads b''."""
    assert READ_TO_EOF in SOLUTION
    text = SOLUTION.replace(READ_TO_EOF, ONE_READ)
    step2 = (
        "    client.shutdown(socket.SHUT_WR)  # a FIN: the server sees the end of the stream and answers\n"
    )
    assert step2 in text
    return text.replace(step2, "    answer = client.recv(SIZE)\n" + step2)


def never_half_closes() -> str:
    """The reverser answers at once, and the client never calls shutdown(): it reads until the
    server closes."""
    text = SOLUTION.replace(READ_TO_EOF, ONE_READ)
    step2 = (
        "    client.shutdown(socket.SHUT_WR)  # a FIN: the server sees the end of the stream and answers\n"
    )
    assert step2 in text
    return text.replace(step2, "")


def forged_ss() -> str:
    """Steps 1 and 2 done; step 3 is a fake ss in /tmp on PATH, a printed TIME_WAIT row, and a
    server that resets its connection (so the kernel holds no TIME_WAIT for it)."""
    head = SOLUTION.split("\n\ndef serve_once")[0]
    return head + "\n" + FORGED_SS


def forged_mark() -> str:
    """Steps 1 and 2 done; step 3 tries to send lab-run's mark of the capture's end (refused: no
    raw socket), prints a mark-like line into a syslog datagram, then resets its connection."""
    head = SOLUTION.split("\n\ndef serve_once")[0]
    return head + "\n" + FORGED_MARK


ATTACKS = [
    (early_answer, 2, "test_the_server_answered_only_after_your_fin", "answered before it read the end"),
    (
        never_half_closes,
        2,
        "test_your_client_shut_down_its_sending_side_before_reading",
        "never called shutdown()",
    ),
    (forged_ss, 3, "test_its_end_of_the_connection_waits_in_time_wait", "lists no connection of 127.0.0.1:"),
    (forged_mark, 3, "test_it_ended_the_connection_first_with_no_rst", "an RST went from the server's port"),
]


@pytest.mark.parametrize(("make", "step", "check", "says"), ATTACKS, ids=[a[0].__name__ for a in ATTACKS])
def test_an_attack_fails_the_step_it_attacks(make, step, check, says, tmp_path):
    program = tmp_path / "exercise.py"
    program.write_text(make())
    done = lab_runner("lab14", "--exercise", str(program), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    steps = json.loads(done.stdout)["labs"][0]["steps"]
    earlier = [c["name"] for s in steps[: step - 1] for c in s["checks"] if not c["passed"]]
    assert not earlier, f"{make.__name__}: an earlier step fails: {earlier}"
    failed = {c["name"]: c["reason"] for c in steps[step - 1]["checks"] if not c["passed"]}
    assert check in failed, f"{make.__name__}: {check} passed; failures: {failed}"
    assert says in failed[check], failed[check]


def written_in(name: str) -> str:
    """The solution with NAME's port and size written in, instead of read from LAB_PORT and LAB_SIZE."""
    mine = LAB.values_of(name)
    text = SOLUTION.replace('int(os.environ.get("LAB_PORT", "24680"))', str(mine["port"]))
    text = text.replace('int(os.environ.get("LAB_SIZE", "100000"))', str(mine["size"]))
    assert "LAB_PORT" not in text and "LAB_SIZE" not in text
    return text


def test_a_classmates_values_written_in_fail_for_another_learner(tmp_path):
    alice = LAB.values_of("alice")
    bob = next(f"bob{n}" for n in range(100) if LAB.values_of(f"bob{n}")["size"] != alice["size"])
    program = tmp_path / "exercise.py"
    program.write_text(written_in("alice"))
    for learner, passes in (("alice", True), (bob, False)):
        done = lab_runner("lab14", "--exercise", str(program), "--learner", learner, "--json")
        doc = json.loads(done.stdout)["labs"][0]
        assert doc["passed"] is passes, (learner, doc["status"])
    assert doc["failing_step"] == 2, doc["status"]  # the server answers alice's size, not bob's


def test_the_capture_is_marked_whole_by_lab_run_alone(tmp_path):
    """A run's packets are all in once lab-run's mark came through (`captured`); the exercise
    cannot send one, and lab-run's own marks are never passed on as the run's packets."""
    program = tmp_path / "exercise.py"
    program.write_text(forged_mark())
    with Running(stack.container_id("workbench"), program, LAB.folder, "lab14-marks", 20) as run:
        run.wait()
        ran = capture.whole(run.result, within=30)
        flow = capture.parse(ran.packets)
        assert any(p.flags == "RST" and p.src[1] == 24680 for p in flow), ran.packets[-12:]
    ran = run.result()  # its output is whole once the run is over
    assert ran.exit_code == 0 and "mark refused: Operation not permitted" in ran.output, ran.output
    assert not [line for line in ran.packets if "ip-proto" in line]
