"""Lab 15's lossy link, attacked: the drops are lab-run's (nft, in the sandbox's own table, set
before the exercise starts), the receiver's record is lab-run's (root's only), so an exercise
can neither undo the loss nor forge what arrived. And it copes with a clumsy sender's
blindness only as the contract says: the receiver dedupes, the sender must wait for ACKs."""

import json
import textwrap

from runner import lab_runner

from lab_runner import labs

LAB15 = labs.resolve("lab15")


def run_json(path) -> dict:
    done = lab_runner(LAB15.key, "--exercise", str(path), "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)["labs"][0]


def checks(doc: dict) -> dict[str, bool]:
    return {c["name"]: c["passed"] for step in doc["steps"] for c in step["checks"]}


def write(tmp_path, name, source) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_an_exercise_cannot_remove_the_drops_nor_touch_the_receivers_record(tmp_path):
    attack = write(
        tmp_path,
        "undo.py",
        """
        import os, socket, subprocess
        flush = subprocess.run(["/usr/sbin/nft", "flush", "ruleset"], capture_output=True, text=True)
        print("nft flush:", flush.returncode, flush.stderr.strip())
        for path in ("/run/lab/link", "/run/lab/link.new"):
            try:
                with open(path, "a") as f:
                    f.write("1.0 deliver 1 10 127.0.0.1:1\\n")
                print("wrote", path)
            except OSError as err:
                print("cannot write", path, err)
        thief = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            thief.bind(("127.0.0.1", 9915))  # be the receiver, and ack everything
            print("took the receiver's port")
        except OSError as err:
            print("cannot take the port:", err)
        count = int(os.environ.get("LAB_COUNT", "30"))
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        forger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        for n in range(1, count + 1):
            sock.sendto(f"{n} once".encode(), ("127.0.0.1", 9915))
            forger.sendto(f"ACK {n}".encode(), sock.getsockname())  # an ACK of its own making
        print(f"sent {count}, all acknowledged")
    """,
    )
    doc = run_json(attack)
    out = doc["exercise"]["output"]
    assert "nft flush: 1" in out and "wrote" not in out and "took the receiver's port" not in out, out
    seen = checks(doc)
    assert seen["test_the_link_lost_some_of_them"], doc  # the drops went on
    assert not seen["test_every_number_was_delivered_exactly_once"], doc


def test_ten_blind_copies_of_each_datagram_are_not_a_protocol(tmp_path):
    blind = write(
        tmp_path,
        "blind.py",
        """
        import os, socket
        count = int(os.environ.get("LAB_COUNT", "30"))
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(0.5)
        for n in range(1, count + 1):
            for _ in range(10):
                sock.sendto(f"{n} blind".encode(), ("127.0.0.1", 9915))
        try:
            while True:
                sock.recvfrom(64)  # every ACK read, at the end
        except TimeoutError:
            pass
    """,
    )
    seen = checks(run_json(blind))
    # It delivers every number (the receiver keeps one copy of each), and reads the ACKs:
    # but no copy waited for an ACK, and ten per number is far past what the losses called for.
    assert seen["test_numbered_datagrams_went_to_the_link"] and seen["test_the_link_lost_some_of_them"]
    assert not seen["test_each_copy_went_out_after_waiting_for_its_ack"]


def test_a_printed_count_is_not_a_delivery(tmp_path):
    fake = write(
        tmp_path,
        "fake.py",
        """
        import os
        count = int(os.environ.get("LAB_COUNT", "30"))
        print(f"sent {count} datagrams in {2 * count} copies; each acknowledged")
        for n in range(1, count + 1):
            print(f"ACK {n}")
    """,
    )
    seen = checks(run_json(fake))
    assert not any(seen.values()), seen


def test_a_classmates_count_written_in_fails_for_another_learner(tmp_path):
    alice = LAB15.values_of("alice")["count"]
    bob = next(f"bob{n}" for n in range(100) if LAB15.values_of(f"bob{n}")["count"] != alice)
    source = LAB15.solution_path.read_text()
    theirs = source.replace('int(os.environ.get("LAB_COUNT", "30"))', str(alice))
    assert theirs != source
    path = tmp_path / "alices.py"
    path.write_text(theirs)
    for learner, passes in (("alice", True), (bob, False)):
        done = lab_runner(LAB15.key, "--exercise", str(path), "--learner", learner, "--json")
        assert done.returncode == (0 if passes else 1), done.stdout + done.stderr
