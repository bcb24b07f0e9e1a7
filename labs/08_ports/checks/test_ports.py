"""Lab 8 checks: one client reached two servers by port, a closed port refused, and the client's
ports were ephemeral and told its two chat connections apart (the 4-tuples, in ss and in the chat log)."""

import re

from lab_runner.fixtures import log_lines

CHAT_LOG = "/var/log/chat/chat.log"
FLASK_LOG = "/var/log/flask/flask.log"
CONNECTED = re.compile(
    r"^(\w+):(\d+): connected, client \('([\d.]+)', (\d+)\) -> server \('([\d.]+)', \d+\)$", re.M
)


def ip_of(host):
    """The container's IPv4 address on the compose network."""
    return next(a for a in host.interface("eth0").addresses if "." in a)


def client_ports(exercise_output, service, port):
    """The (client ip, client port) pairs the exercise printed for its connections to service:port."""
    return [
        (m.group(3), int(m.group(4)))
        for m in CONNECTED.finditer(exercise_output)
        if (m.group(1), int(m.group(2))) == (service, port)
    ]


def test_chat_accepted_each_connection_from_its_printed_port(chat, workbench, exercise_output, token):
    printed = client_ports(exercise_output, "chat", 12345)
    assert len(printed) == 2, f"the exercise did not print two connections to chat:12345: {printed}"
    assert all(ip == ip_of(workbench) for ip, _ in printed), (
        f"client address is not the workbench's: {printed}"
    )
    for n, (ip, port) in enumerate(printed, 1):
        peer = f"('{ip}', {port})"
        said = f"This is what the client sent: lab8 connection {n}, run {token}"
        assert log_lines(chat, CHAT_LOG, said), f"the chat log has no line '{said}'"
        # The line must come from this peer: after its "Accepted", before its "Connection closed".
        log = chat.run(f"grep -anF -e \"{peer}\" -e 'run {token}' {CHAT_LOG}").stdout.splitlines()
        open_now = False
        for line in log:
            text = line.split(":", 1)[1]
            if text == f"Accepted connection from: {peer}":
                open_now = True
            elif peer in text:
                open_now = False
            elif text == said:
                assert open_now, f"'{said}' did not come over the connection from {peer}"
                break
        else:
            raise AssertionError(f"no 'Accepted connection from: {peer}' before '{said}'")


def test_flask_logged_this_runs_request_from_the_workbench(flask, workbench, token):
    lines = log_lines(flask, FLASK_LOG, f"GET /?run={token} ")
    assert lines, f"no request for /?run={token} in the Flask server's log"
    ip = ip_of(workbench)
    assert any(
        line.startswith(f"{ip} - - ") and f'"GET /?run={token} HTTP/1.1" 200' in line for line in lines
    ), f"the request was not served to the workbench ({ip}): {lines}"


def test_the_closed_port_refused(flask, exercise_output):
    assert "flask:5001: refused, ECONNREFUSED" in exercise_output, "the exercise did not show ECONNREFUSED"
    listening = [s for s in flask.socket.get_listening_sockets() if s.startswith("tcp://")]
    assert not any(s.endswith(":5001") for s in listening), f"something listens on 5001 in flask: {listening}"


def test_ss_showed_two_4_tuples_to_the_same_server(chat, workbench, exercise_output):
    printed = client_ports(exercise_output, "chat", 12345)
    assert len({port for _, port in printed}) == 2, f"no two different client ports were printed: {printed}"
    server = f"{ip_of(chat)}:12345"
    for ip, port in printed:
        pattern = rf"^ESTAB\s+\d+\s+\d+\s+{re.escape(f'{ip}:{port}')}\s+{re.escape(server)}\b"
        assert re.search(pattern, exercise_output, re.M), f"no ss line for {ip}:{port} -> {server}"


def test_the_client_ports_are_ephemeral(workbench, exercise_output):
    low, high = map(int, workbench.file("/proc/sys/net/ipv4/ip_local_port_range").content_string.split())
    assert f"ip_local_port_range): {low}-{high}" in exercise_output, "the exercise did not print the range"
    printed = client_ports(exercise_output, "chat", 12345) + client_ports(exercise_output, "flask", 5000)
    assert len(printed) == 3, f"the exercise did not print its three connections' client ports: {printed}"
    outside = [port for _, port in printed if not low <= port <= high]
    assert not outside, f"client ports {outside} are not in {low}-{high}"
