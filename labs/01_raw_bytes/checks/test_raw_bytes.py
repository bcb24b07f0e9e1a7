"""Lab 1 checks: this run's bytes reached the Flask server and it logged them as a bad request."""

from lab_runner.fixtures import log_lines

LOG = "/var/log/flask/flask.log"


def test_flask_logged_this_runs_bytes_as_a_bad_request(flask, token):
    lines = log_lines(flask, LOG, f"'hello-{token}'")
    assert lines, f"no line with 'hello-{token}' in the Flask server's log: did the bytes reach it?"
    assert any(f"code 400, message Bad request syntax ('hello-{token}')" in line for line in lines), lines


def test_flask_answered_400(flask, token):
    assert log_lines(flask, LOG, f'"hello-{token}" 400 -'), "the server did not log its 400 answer"


def test_the_exercise_saw_the_servers_answer(exercise_output):
    assert "400" in exercise_output, "the exercise did not print the server's answer (Error code: 400)"
