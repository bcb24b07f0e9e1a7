"""Lab 7 checks: this run's named socket file is in the workbench, and both sockets carried the token."""

import re


def socket_path(token):
    return f"/tmp/{token}.sock"


def test_the_named_socket_file_is_in_the_workbench(workbench, token):
    path = socket_path(token)
    f = workbench.file(path)
    assert f.exists, f"{path} is not in the workbench: bind() to that name creates it"
    assert f.is_socket, f"{path} exists but is not a socket"
    listing = workbench.run(f"ls -l {path}").stdout
    assert listing.startswith("s"), f"ls -l does not show type 's': {listing}"


def test_the_exercise_listed_the_socket_file(exercise_output, token):
    listed = [line for line in exercise_output.splitlines() if line.endswith(socket_path(token))]
    assert any(line.startswith("s") for line in listed), "the exercise did not show the file with ls -l"


def test_the_server_received_the_clients_token(exercise_output, token):
    assert f"server: received 'hello from the client, run {token}'" in exercise_output, (
        "the server did not print the client's message with this run's token"
    )


def test_the_server_knew_the_client_process(exercise_output):
    # SO_PEERCRED: the kernel names the process on the other end of a Unix socket.
    found = re.search(r"from pid (\d+), uid \d+ \(the client process is pid (\d+)\)", exercise_output)
    assert found, "the server did not print the client's pid from SO_PEERCRED"
    assert found.group(1) == found.group(2), f"SO_PEERCRED gave pid {found.group(1)}, not {found.group(2)}"


def test_the_unnamed_pair_carried_the_token_both_ways(exercise_output, token):
    assert re.search(rf"^child \d+: received 'ping {token}'$", exercise_output, re.M), (
        "the child did not receive 'ping <token>' through the socketpair"
    )
    assert re.search(rf"^parent \d+: received 'pong {token}'$", exercise_output, re.M), (
        "the parent did not receive 'pong <token>' back through the socketpair"
    )
