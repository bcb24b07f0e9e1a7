"""Lab 10 checks: strace's trace of this run's client (a file in the workbench) shows socket(),
connect() to the Flask server and the token going out in sendto()/write(); Flask really got it."""

import re

from lab_runner.fixtures import log_lines

FLASK_LOG = "/var/log/flask/flask.log"
PID = r"^(?:\[pid\s+)?\d+\]?\s+"  # strace -f -o: each line starts with the process id


def ip_of(host):
    return next(a for a in host.interface("eth0").addresses if "." in a)


def trace_of(workbench, token):
    path = f"/tmp/{token}.strace"
    f = workbench.file(path)
    assert f.exists, f"no trace {path} in the workbench: run the client under strace -o {path}"
    return f.content_string


def tcp_socket_fd(trace):
    found = re.search(PID + r"socket\(AF_INET, SOCK_STREAM[^)]*\) = (\d+)$", trace, re.M)
    assert found, "the trace has no socket(AF_INET, SOCK_STREAM...) = <fd> line"
    return found.group(1)


def test_the_trace_shows_socket(workbench, token):
    tcp_socket_fd(trace_of(workbench, token))


def test_the_trace_shows_connect_to_the_flask_server(workbench, flask, token):
    trace = trace_of(workbench, token)
    fd, ip = tcp_socket_fd(trace), ip_of(flask)
    address = f'{{sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("{ip}")}}'
    assert re.search(PID + re.escape(f"connect({fd}, {address}, 16) = 0"), trace, re.M), (
        f"no successful connect({fd}, ...) to the Flask server at {ip}:5000 in the trace"
    )


def test_the_trace_shows_the_token_going_out(workbench, token):
    trace = trace_of(workbench, token)
    fd = tcp_socket_fd(trace)
    sent = rf'(?:sendto|write)\({fd}, "GET /\?run={re.escape(token)} HTTP/1.1\\r\\n[^"]*", \d+'
    assert re.search(PID + sent, trace, re.M), (
        f"no sendto({fd}, ...) or write({fd}, ...) with this run's token"
    )


def test_the_exercise_printed_the_trace(workbench, token, exercise_output):
    trace = trace_of(workbench, token)
    lines = [line for line in trace.splitlines() if f"run={token} " in line]
    assert lines and all(line in exercise_output for line in lines), "the exercise did not print the trace"


def test_flask_received_the_traced_request(flask, workbench, token):
    lines = log_lines(flask, FLASK_LOG, f"GET /?run={token} ")
    ip = ip_of(workbench)
    assert any(
        line.startswith(f"{ip} - - ") and f'"GET /?run={token} HTTP/1.1" 200' in line for line in lines
    ), f"the Flask server did not log GET /?run={token} from the workbench ({ip})"
