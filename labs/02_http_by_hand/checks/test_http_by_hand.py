"""Lab 2 checks: this run's hand-written GET was served, and its answer came back whole."""

from lab_runner.fixtures import log_lines

LOG = "/var/log/flask/flask.log"


def test_flask_served_this_runs_request(flask, token):
    lines = log_lines(flask, LOG, f"/?run={token} ")
    assert lines, f"no request for /?run={token} in the Flask server's log"
    assert any(f'"GET /?run={token} HTTP/1.1" 200' in line for line in lines), lines


def test_the_view_printed_done(flask, token):
    # The view prints "Done !" just before Werkzeug logs the request line.
    log = flask.run(f"grep -a -B1 -F -- 'GET /?run={token} ' {LOG}").stdout.splitlines()
    assert log and log[0] == "Done !", f"'Done !' was not logged for this run's request: {log}"


def test_the_exercise_received_hello_world(exercise_output):
    assert "HTTP/1.1 200 OK" in exercise_output, "the exercise did not print the status line"
    assert "Hello World!" in exercise_output, "the exercise did not print the body, Hello World!"
