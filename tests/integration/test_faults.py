"""Faults and bad input on the real stack. Every test is bounded in count and time.

The bounds stated here are liveness bounds (it comes back, it gets through), set far above
what this machine measures (see docs/benchmarks.md), not speed targets.
"""

import time

import pytest
from logs import LogCursor
from probes import usage
from runner import lab_runner
from workloads import run_workload, start_workload

from lab_runner import stack
from lab_runner.evidence import wait_lines

CHAT_LOG = "/var/log/chat/chat.log"
SYSLOG = "/var/log/syslog"
BACK_WITHIN = 60  # seconds: a killed service is healthy again by itself within this
CHAT_MEMORY_KIB = 128 * 1024  # the chat server's resident memory stays below this after abuse


# chat ---------------------------------------------------------------------------------------


def test_chat_serves_500_clients_at_once(chat, token):
    cursor = LogCursor(chat, CHAT_LOG)
    crowd = run_workload("chat_crowd", token, 500, 1)
    assert crowd["connected"] == 500 and not crowd["errors"] and crowd["timed_out"] == 0
    # Every line was relayed to the 499 others ...
    assert crowd["delivered"] == crowd["expected"] == 500 * 499
    # ... and logged by the server.
    new = cursor.wait_for(f"x {token} 499.0 ")
    assert sum(f"This is what the client sent: x {token} " in line for line in new.splitlines()) == 500


def test_chat_misbehaving_clients_neither_stop_nor_stall_the_others(chat, token):
    cursor = LogCursor(chat, CHAT_LOG)
    # 400 lines of 1 KiB, as fast as it can: within flood control's allowance (a burst of 200,
    # then 50 a second, slowed for under 5 s), so every one is relayed.
    seen = run_workload("chat_abuse", token, 400, timeout=120)
    assert seen["watcher_received"] == 400
    assert seen["seconds_to_last_line"] < 30
    assert seen["long_line_client"].endswith("error: line longer than 65536 bytes; bye")
    assert seen["half_open_client"] == "eof"  # closed its side: the server closed too
    assert seen["never_reader"] in ("eof", "reset")  # dropped, not waited for forever
    new = cursor.wait_for("did not read")
    assert f"caf\\xe9 \\xff\\xfe {token} U" in new
    assert "it did not read for 2 s" in new and "line longer than 65536 bytes" in new


# The healthy pair's relay while one client attacks a room of 500 that never read
# (bench/workloads/chat_attack.py). Before the relay was shared fairly, p99 was 2.1 s, 9.7 s
# and 12.5 s in these three; docs/benchmarks.md has today's figures. 1 s is a liveness bound.
@pytest.mark.parametrize("attack", ["bigline", "burst", "flood"])
def test_chat_an_attacker_does_not_hold_up_a_healthy_pair(chat, token, attack):
    cursor = LogCursor(chat, CHAT_LOG)
    seen = run_workload("chat_attack", token, attack, 10, 500, timeout=180)
    assert seen["attack_lines"] > 0
    assert seen["received"] == seen["sent"] > 300  # every line of the pair's, none lost
    assert seen["p99_ms"] < 1000, seen
    new = cursor.wait_for("Dropping")
    # The room's defences worked: readers that never read were dropped (they held it up before) ...
    assert "it did not read for 2 s" in new or "it is not reading" in new
    if attack == "flood":
        # ... and the flooder was slowed, then told and dropped, and came back to be slowed again.
        assert seen["attacker_dropped"] >= 1
        assert "(flood control)" in new and "flooding: over 50 lines a second for 5 s" in new


RESET_CLIENT = """
import socket, struct, sys, time
token = sys.argv[1]
listener = socket.create_connection(("chat", 12345), timeout=10)
listener.recv(4096)  # the welcome
# The article's client, closing without reading its welcome: Linux sends an RST.
talker = socket.create_connection(("chat", 12345), timeout=10)
talker.sendall(f"one {token}\\ntwo {token}\\nbye {token}".encode())
# The server reads them at once; a moment later the reset comes. (An RST that arrives before
# the server read the bytes makes the kernel throw them away: no server can relay those.)
time.sleep(0.5)
talker.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
talker.close()
heard = b""
while heard.count(token.encode()) < 3 and (chunk := listener.recv(4096)):
    heard += chunk
print(heard.decode())
"""


def test_chat_lines_sent_before_a_reset_are_still_relayed(chat, workbench, token):
    # From the workbench: from the host, Docker's port proxy would turn the RST into a FIN.
    cursor = LogCursor(chat, CHAT_LOG)
    heard = workbench.check_output("python3 -c %s %s", RESET_CLIENT, token)
    relayed = [line.split(": ", 1)[1] for line in heard.splitlines()]
    assert relayed == [f"one {token}", f"two {token}", f"bye {token}"]
    assert "broke: ConnectionResetError" in cursor.wait_for("broke")


def test_chat_is_idle_and_small_after_the_abuse(chat, token):
    run_workload("chat_crowd", token, 100, 5)
    time.sleep(1)
    cpu, rss_kib = usage(chat, "server.py", seconds=2.0)
    assert cpu < 0.4  # of 2 s: idle, not spinning on closed sockets
    assert rss_kib < CHAT_MEMORY_KIB


# flask --------------------------------------------------------------------------------------


def test_flask_answers_while_2000_idle_connections_are_held(flask, token):
    # 2,000 connections that each send half a request and wait, reopened when closed: before
    # the server bounded them, every GET / failed with the connection closed (RemoteDisconnected).
    seen = run_workload("flask_idle", token, 2000, 20, timeout=300)
    assert seen["held_at_start"] == 2000
    assert seen["answered"] == 20 and seen["failed"] == 0, seen
    assert seen["idle_closed_by_server"] > 0  # the oldest idle ones made room
    # Every GET, not only most: a SYN dropped because the accept queue was full is retried after
    # exactly 1 s, so a worst case under 1 s says no new client's SYN was dropped. (With the idle
    # ones in threads and a 128-deep queue, 1 in 3 waited 1.05 s.) docs/benchmarks.md has the figures.
    assert seen["max_ms"] < 1000, seen
    lines = wait_lines(flask, "/var/log/flask/flask.log", f"/?idle={token}-", count=20)
    assert len(lines) == 20
    assert wait_lines(flask, "/var/log/flask/flask.log", "idle connections to make room")


# rsyslog ------------------------------------------------------------------------------------


def count_in_syslog(rsyslog, needle: str, expected: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        n = int(rsyslog.run(f"grep -c -F -- '{needle}' {SYSLOG}").stdout.strip() or 0)
        if n >= expected or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


def test_syslog_burst_of_100000_datagrams_arrives_whole(rsyslog, token):
    sent = run_workload("syslog_burst", token, 100_000, timeout=300)
    assert sent["sent"] == 100_000
    assert count_in_syslog(rsyslog, f"burst: {token} ", 100_000) == 100_000
    numbers = rsyslog.check_output(
        f"grep -F -- 'burst: {token} ' {SYSLOG} | awk '{{print $NF}}' | sort -un | wc -l"
    )
    assert int(numbers) == 100_000  # each of 0..99999 exactly once


def test_syslog_restart_mid_stream_loses_nothing_a_retrying_client_sent(rsyslog, host_of, token):
    # 20,000 datagrams over about 4 s; rsyslog is restarted once some have arrived and the
    # client is still sending. The client sends by path and retries what the socket refuses;
    # run.sh drains the socket before rsyslogd stops.
    proc = start_workload("syslog_burst", token, 20_000, 5000)
    before = count_in_syslog(rsyslog, f"burst: {token} ", 1, timeout=30)
    assert before >= 1 and proc.poll() is None, "the burst did not start, or ended before the restart"
    stack.compose("restart", "rsyslog", timeout=120)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    stack.up()
    after = count_in_syslog(host_of("rsyslog"), f"burst: {token} ", 20_000)
    assert after == 20_000
    # Mid-stream for real: the restart came after the first lines and before the last ones.
    assert before < 20_000


# every service ------------------------------------------------------------------------------


@pytest.mark.parametrize(("service", "program"), [
    ("flask", "serve.py"), ("chat", "server.py"), ("rsyslog", "rsyslogd"), ("workbench", "lab-run --keep"),
])  # fmt: skip
def test_kill_9_of_the_main_process_comes_back_healthy_by_itself(host_of, service, program):
    before = stack.status()[service]["id"]
    restarts = restart_count(before)
    try:
        # [s]erve.py: a pattern that does not match the shell running pkill (its command line holds it)
        killed = host_of(service).run(f"pkill -9 -f '[{program[0]}]{program[1:]}'")
        # 0: pkill signalled it; 137: the container stopped with its main process, taking pkill along.
        assert killed.rc in (0, 137), f"pkill found no {program} in {service}: {killed.rc} {killed.stderr}"
        # It goes down and comes back without anyone running compose.
        deadline = time.monotonic() + BACK_WITHIN
        saw_down = False
        while time.monotonic() < deadline:
            info = stack.status()[service]
            if (info["state"], info["health"]) != ("running", "healthy"):
                saw_down = True
            elif saw_down:
                break
            time.sleep(0.5)
        info = stack.status()[service]
        assert saw_down, f"{service} did not go down: was {program} killed?"
        assert (info["state"], info["health"]) == ("running", "healthy")
        assert info["id"] == before  # restarted by Docker's restart policy, not recreated
        assert restart_count(before) == restarts + 1, (
            "Docker did not restart it: was its main process killed?"
        )
    finally:
        reset_restart_count(service)


def restart_count(container: str) -> int:
    return stack.engine().request("GET", f"/containers/{container}/json")["RestartCount"]


def reset_restart_count(service: str) -> None:
    """on-failure:5 restarts a container 5 times in its life; a manual restart resets the count,
    so repeated test runs on one stack do not use it up."""
    stack.compose("restart", service, timeout=120)
    stack.up()


def test_lab_runner_never_blames_the_learner_while_a_service_restarts(host_of):
    host_of("flask").run("pkill -9 -f '[s]erve.py'")
    outcomes = []
    deadline = time.monotonic() + BACK_WITHIN
    try:
        while time.monotonic() < deadline:
            done = lab_runner("lab1", "--solution")  # the reference: any failure is the stack's
            outcomes.append(done.returncode)
            assert done.returncode in (0, 2), done.stdout + done.stderr
            if done.returncode == 2:
                assert "service 'flask'" in done.stderr and "docker compose" in done.stderr
            if done.returncode == 0 and 2 in outcomes:
                break
    finally:
        reset_restart_count("flask")
    assert outcomes[-1] == 0
