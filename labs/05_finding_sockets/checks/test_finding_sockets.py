"""Lab 5 checks: what the exercise found with ls and ss matches the containers' real state.

The exercise prints one machine-readable line, `report: {...}`; every check compares a part
of it with what the containers say now (testinfra runs ls, stat, ss and ip in them).
"""

import json

from lab_runner.fixtures import log_lines


def report_of(exercise_output: str) -> dict:
    """The exercise's `report: {...}` line, parsed."""
    for line in exercise_output.splitlines():
        if line.startswith("report: "):
            return json.loads(line.removeprefix("report: "))
    raise AssertionError("the exercise printed no 'report: {...}' line: what did ss find?")


def test_dev_log_leads_to_rsyslogs_socket(workbench, rsyslog, exercise_output):
    found = report_of(exercise_output)["dev_log"]
    target = workbench.file("/dev/log").linked_to
    assert found["target"] == target, f"/dev/log links to {target}, the exercise said {found['target']}"
    assert found["type"] == "s", f"the file type of a socket is 's', the exercise said {found['type']!r}"
    assert rsyslog.file(target).is_socket, f"{target} is not a socket in the rsyslog container"
    # One file in a shared volume, seen from two containers: the same inode number.
    inode = int(rsyslog.check_output(f"stat -c %i {target}"))
    assert found["inode"] == inode, (
        f"{target} is inode {inode} in rsyslog, the exercise said {found['inode']}"
    )


def test_the_unix_socket_file_is_in_the_workbench(workbench, token, exercise_output):
    found = report_of(exercise_output)
    path = f"/tmp/unix-{token}.sock"
    assert found["unix_listener"]["path"] == path, (
        f"ss did not list this run's {path}: {found['unix_listener']}"
    )
    assert found["unix_listener"]["pid"] == found["pid"], "ss did not name the exercise as the socket's owner"
    # The socket closed with its process, but the file bind() made is still there, type s.
    assert workbench.file(path).is_socket, f"{path} is not a socket file in the workbench"


def test_the_connection_went_to_flask_port_5000(flask, workbench, token, exercise_output):
    found = report_of(exercise_output)["tcp_connection"]
    assert found["peer"], "ss did not list the exercise's connection to flask:5000"
    flask_ip = flask.interface("eth0").addresses[0]
    assert found["peer"] == f"{flask_ip}:5000", (
        f"flask is {flask_ip}:5000, ss said the peer is {found['peer']}"
    )
    assert flask.socket("tcp://0.0.0.0:5000").is_listening, "the Flask server does not listen on 5000"
    local_ip = found["local"].rsplit(":", 1)[0]
    assert local_ip in workbench.interface("eth0").addresses, f"{local_ip} is not the workbench's address"
    # The same connection carried GET /?run=<token>; Flask logs the client's address first.
    lines = log_lines(flask, "/var/log/flask/flask.log", f"/?run={token} ")
    assert lines and lines[0].startswith(f"{local_ip} - - "), (
        f"Flask did not log {local_ip}'s request: {lines}"
    )


def test_the_tcp_listener_belonged_to_the_exercise_and_died_with_it(workbench, exercise_output):
    found = report_of(exercise_output)
    local = found["tcp_listener"]["local"]
    assert local and local.startswith("0.0.0.0:"), f"ss did not list the exercise's listener: {local}"
    assert found["tcp_listener"]["pid"] == found["pid"], (
        "ss did not name the exercise as the listener's owner"
    )
    # A TCP socket has no file: when its process ends, nothing is left to find.
    assert not workbench.socket(f"tcp://{local}").is_listening, f"something still listens on {local}"


def test_ss_sees_only_its_own_containers_sockets(workbench, rsyslog, exercise_output):
    found = report_of(exercise_output)
    assert found["syslog_socket_listed_here"] is False, "the exercise says ss in the workbench listed it"
    # /run/syslog/log is one file in both containers, but the socket is rsyslogd's: only
    # ss in the rsyslog container (its network namespace) lists it.
    assert "/run/syslog/log" in rsyslog.check_output("ss -xa"), "ss in rsyslog does not list /run/syslog/log"
    assert "/run/syslog/log" not in workbench.check_output("ss -xa"), "ss in the workbench lists it"
