"""Lab 6 checks: the chat server accepted this run's client at its real address, heard each
line on its own, and saw the client close after bye."""

import re
import shlex

from lab_runner.fixtures import log_lines

LOG = "/var/log/chat/chat.log"
SENT = "This is what the client sent: "


def client_address(exercise_output: str) -> tuple[str, int]:
    """The client's own end, as the exercise printed it: connected from ('172.22.0.5', 40312)."""
    found = re.search(r"connected from \('([0-9.]+)', (\d+)\)", exercise_output)
    assert found, "the exercise did not print 'connected from (ip, port)' (its socket's getsockname())"
    return found.group(1), int(found.group(2))


def this_runs_log(chat, token: str, address: tuple[str, int]) -> list[str]:
    """The chat log's lines about this client or with this run's token, in the order logged."""
    log_lines(chat, LOG, token)  # wait for the server to write them
    needles = [token, f"from: {address!r}", f"closed: {address!r}"]
    cmd = "grep -aF " + " ".join(f"-e {shlex.quote(n)}" for n in needles) + f" {LOG}"
    return chat.run(cmd).stdout.splitlines()


def test_the_server_accepted_this_clients_real_address(chat, workbench, token, exercise_output):
    ip, port = client_address(exercise_output)
    assert ip in workbench.interface("eth0").addresses, f"{ip} is not the workbench's address"
    log = this_runs_log(chat, token, (ip, port))
    accepted = f"Accepted connection from: {(ip, port)!r}"
    first = next((i for i, line in enumerate(log) if token in line), None)
    assert first is not None, f"no line with this run's token ({token}) in the chat log"
    assert accepted in log[:first], f"the server did not log '{accepted}' before this run's lines: {log}"


def test_each_line_arrived_on_its_own(chat, token, exercise_output):
    sent = [line[2:] for line in exercise_output.splitlines() if line.startswith("->") and token in line]
    assert sent, f"the exercise showed no '->' line with this run's token ({token})"
    heard = [line.split(SENT, 1)[1] for line in log_lines(chat, LOG, token) if SENT in line]
    # Without "\n" after each message, TCP runs them together and the server hears one line.
    assert heard == sent, f"the exercise sent {sent}, the server heard the lines {heard}"


def test_the_client_said_bye_and_closed(chat, token, exercise_output):
    ip, port = client_address(exercise_output)
    log = this_runs_log(chat, token, (ip, port))
    said = [line for line in log if token in line and SENT in line]
    assert said, f"the server heard no line with this run's token ({token})"
    assert "bye" in said[-1].split(SENT, 1)[1].split(), f"the last line has no word 'bye': {said[-1]}"
    closed = f"Connection closed: {(ip, port)!r}"
    assert closed in log[log.index(said[-1]) :], f"the server did not log '{closed}' after bye: {log}"
