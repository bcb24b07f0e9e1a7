"""Faults and bad input on the real stack. Every test is bounded in count and time.

The bounds stated here are liveness bounds (it comes back, it gets through), set far above
what this machine measures (see docs/benchmarks.md), not speed targets.
"""

import re
import statistics
import time
import uuid

import pytest
from logs import LogCursor
from probes import usage
from runner import lab_runner, start_lab_runner
from workloads import run_workload, start_workload

from lab_runner import stack
from lab_runner.evidence import wait_lines

CHAT_LOG = "/var/log/chat/chat.log"
SYSLOG = "/var/log/syslog"
PRIORITY = "/var/log/priority.log"
FLOOD_SECONDS = 15  # as long as the flood of issue 15, which grew each file by about 1.3 GB
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
    # The flooder is dropped once slowed for 5 s: about 6 s into its 8 s of a 10 s workload on
    # a quiet machine, past its end on a loaded one (CI once saw no drop). 16 s leaves room.
    seen = run_workload("chat_attack", token, attack, 16 if attack == "flood" else 10, 500, timeout=180)
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
    # Lines with the token only: the workbench's room may still be getting the last lines of an
    # earlier test's flood from the workbench (the server relays what it read before a close).
    relayed = [line.split(": ", 1)[1] for line in heard.splitlines() if token in line]
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
    lines = wait_lines(flask, f"/?idle={token}-", count=20)
    assert len(lines) == 20
    assert wait_lines(flask, "idle connections to make room")


# rsyslog ------------------------------------------------------------------------------------


# /var/log/syslog is rotated at 32 MiB (images/rsyslog/rsyslog.conf): a burst may straddle a
# rotation wherever the file stands when it starts, so its lines are counted in the file and
# its previous generation, syslog.1. 32 MiB is over 5 times the burst's 100,000 lines, so at
# most one rotation falls inside it, and the two generations hold every line.
BOTH = f"{SYSLOG}.1 {SYSLOG}"


def count_in_syslog(rsyslog, needle: str, expected: int, timeout: float = 60, at_least: bool = False) -> int:
    """The lines with NEEDLE in syslog.1 and syslog, once there are EXPECTED of them (AT_LEAST:
    or more), or what there is when TIMEOUT runs out. A count read during a rotation may be off
    for that moment (a line seen in both files, or in neither), so more than EXPECTED is
    believed only once the next count agrees."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        n = int(rsyslog.run(f"cat {BOTH} 2>/dev/null | grep -c -aF -- '{needle}'").stdout.strip() or 0)
        if n == expected or (n > expected and (at_least or n == last)) or time.monotonic() > deadline:
            return n
        last = n
        time.sleep(0.1)


def test_syslog_burst_of_100000_datagrams_arrives_whole(rsyslog, token):
    sent = run_workload("syslog_burst", token, 100_000, timeout=300)
    assert sent["sent"] == 100_000
    assert count_in_syslog(rsyslog, f"burst: {token} ", 100_000) == 100_000
    numbers = rsyslog.check_output(  # awk, not sort -u: sort may want a file in /tmp (read-only)
        f"cat {BOTH} 2>/dev/null | grep -aF -- 'burst: {token} '"
        " | awk '!($NF in seen) {seen[$NF]; n++} END {print n + 0}'"
    )
    assert int(numbers) == 100_000  # each of 0..99999 exactly once


def size_limits() -> dict[str, int]:
    """Each file rsyslog writes, and its size limit (rotation.sizeLimit in rsyslog.conf)."""
    conf = (stack.ROOT / "images" / "rsyslog" / "rsyslog.conf").read_text()
    limits = {}
    for action in re.findall(r'action\(type="omfile"(.*?)\)', conf, re.S):
        path, limit = re.search(r'file="([^"]+)"', action), re.search(r'rotation\.sizeLimit="(\d+)"', action)
        assert limit, f"rsyslog.conf: no rotation.sizeLimit for {path and path[1]}"
        limits[path[1]] = int(limit[1])
    return limits


def grep_seconds(rsyslog, path: str) -> tuple[float, float]:
    """How long a check's grep of PATH for a token takes: (from here, as wait_lines runs it;
    inside the container alone), each the median of 3. The token is in no line: the whole file
    is read, as for a check that fails."""
    needle = f"absent-{time.monotonic_ns()}"
    here, inside = [], []
    for _ in range(3):
        started = time.perf_counter()
        out = rsyslog.run(
            f"s=$(date +%s%N); grep -aF -- {needle} {path}; e=$(date +%s%N); echo $(( (e - s) / 1000 ))"
        ).stdout
        here.append(time.perf_counter() - started)
        inside.append(int(out.split()[-1]) / 1e6)
    return statistics.median(here), statistics.median(inside)


def flood_numbers(rsyslog, path: str, token: str) -> tuple[int, int, int, int]:
    """The flood's numbered lines in PATH and its previous generation: (lines, distinct numbers,
    lowest, highest)."""
    number = f'{{for (i = 1; i < NF; i++) if ($i == "{token}") {{ print $(i + 1); break }}}}'
    # (awk, not sort: sort wants a temporary file, and the container's root is read-only)
    count = (
        "{n++} !($1 in seen) {seen[$1]; u++} n == 1 || $1 < low {low = $1} $1 > high {high = $1}"
        " END {print n + 0, u + 0, low + 0, high + 0}"
    )
    out = rsyslog.check_output(
        f"cat {path}.1 {path} 2>/dev/null | grep -aF -- 'flood: {token} ' | awk '{number}' | awk '{count}'"
    )
    lines, distinct, low, high = map(int, out.split())
    return lines, distinct, low, high


def test_a_flood_of_dev_log_keeps_the_log_volume_bounded(workbench, rsyslog, token):
    limits = size_limits()
    assert set(limits) == {SYSLOG, PRIORITY, "/var/log/lab/syslog", "/var/log/lab/priority.log"}
    # Each file and one previous generation of it, a batch over each limit, and the image's own
    # install logs (about 140 KB) in the volume.
    bound = sum(2 * limit for limit in limits.values()) + 1_000_000
    before = grep_seconds(rsyslog, SYSLOG)
    before_size = int(rsyslog.check_output("du -sb /var/log").split()[0])

    flood = run_workload("syslog_flood", token, FLOOD_SECONDS, timeout=FLOOD_SECONDS + 120)
    # Every file gets every byte of the flood: more than twice what it and its .1 may hold, or
    # this test shows nothing (issue 15's flood wrote ~1.3 GB a file; 466 MB in all here, on a
    # busy machine, before the evidence copies halved rsyslog's rate).
    per_file = max(2 * limit for limit in limits.values())
    assert flood["bytes"] > 2 * per_file, f"the flood wrote only {flood['bytes']:,} bytes: {flood}"
    # A fresh line right after the flood is in the current files, where the checks grep.
    workbench.check_output("logger -t socketlab-test after-flood-%s", token)
    assert wait_lines(rsyslog, f"after-flood-{token}", timeout=60)
    assert wait_lines(rsyslog, f"after-flood-{token}", timeout=10, log=PRIORITY)

    sizes = rsyslog.check_output("du -ab /var/log")
    size = int(rsyslog.check_output("du -sb /var/log").split()[0])
    after = grep_seconds(rsyslog, SYSLOG)
    mb = 1e6
    print(
        f"\nflood: {flood['sent']:,} datagrams, {flood['bytes'] / mb:,.0f} MB in {flood['seconds']:.1f} s;"
        f" /var/log {before_size / mb:.1f} MB before, {size / mb:.1f} MB after (bound {bound / mb:.1f} MB)"
        f"\ngrep of {SYSLOG} for a token: {before[0] * 1000:.0f} ms before the flood,"
        f" {after[0] * 1000:.0f} ms after"
        f" ({before[1] * 1000:.1f} ms / {after[1] * 1000:.1f} ms of it in the container)\n{sizes}"
    )
    assert size < bound, sizes
    for path in limits:
        assert rsyslog.file(path).is_file and rsyslog.file(f"{path}.1").is_file, sizes  # rotated, and there
        # No line lost or cut at a rotation: the flood's last lines, across the current file and
        # the previous one, are every number up to the last one sent, each once.
        lines, distinct, low, high = flood_numbers(rsyslog, path, token)
        assert high == flood["sent"] - 1, (path, lines, low, high, flood)
        assert lines == distinct == high - low + 1, (path, lines, distinct, low, high)
        assert lines > 1000, (path, lines)


def test_syslog_restart_mid_stream_loses_nothing_a_retrying_client_sent(rsyslog, host_of, token):
    # 20,000 datagrams over about 4 s; rsyslog is restarted once some have arrived and the
    # client is still sending. The client sends by path and retries what the socket refuses;
    # run.sh drains the socket before rsyslogd stops.
    proc = start_workload("syslog_burst", token, 20_000, 5000)
    before = count_in_syslog(rsyslog, f"burst: {token} ", 1, timeout=30, at_least=True)
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


# A lab 1 "exercise" that tells the test (a request flask logs) it has begun, then fails as any
# program would whose server went away: it gives up once a connect to flask fails.
GIVES_UP_WHEN_FLASK_GOES = """
import socket, time
with socket.create_connection(("flask", 5000), timeout=5) as s:
    s.sendall(b"GET /MARKER HTTP/1.0\\r\\n\\r\\n")
    s.recv(4096)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        socket.create_connection(("flask", 5000), timeout=0.5).close()
    except OSError:
        break
    time.sleep(0.05)
raise SystemExit("flask went away")
"""


def test_a_run_whose_service_restarted_under_it_is_the_stacks_even_once_it_is_back(flask, tmp_path):
    """flask is killed while the run goes on; Docker has it back before the run is judged. The
    failure is the stack's (exit 2, named), never the learner's (exit 1)."""
    marker = f"restart-probe-{uuid.uuid4().hex[:8]}"
    exercise = tmp_path / "gives_up.py"
    exercise.write_text(GIVES_UP_WHEN_FLASK_GOES.replace("MARKER", marker))
    cursor = LogCursor(flask, "/var/log/flask/flask.log")
    proc = start_lab_runner("lab1", "--exercise", str(exercise))
    try:
        assert marker in cursor.wait_for(marker, timeout=60), "the exercise did not begin"
        flask.run("pkill -9 -f '[s]erve.py'")
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        reset_restart_count("flask")
    assert proc.returncode == 2, out + err
    assert "service 'flask' restarted during the run: run it again" in err
