"""One read of a log serves a run's checks, and never hides a line that came after it."""

from __future__ import annotations

from lab_runner import evidence, serverlogs, stack
from lab_runner.context import Run, all_lines
from lab_runner.hosts import service_host
from lab_runner.identity import Identity
from lab_runner.shells import Shells

FLASK_LOG = "/var/log/flask/flask.log"


def request_from_workbench(workbench, text: str) -> None:
    """A raw line to flask from the workbench: Flask logs it as a bad request, with its address."""
    workbench.check_output(
        "python3 -I -c \"import socket, sys; s = socket.create_connection(('flask', 5000));"
        " s.sendall(sys.argv[1].encode() + b'\\r\\n'); s.recv(4096)\" %s",
        text,
    )


def test_a_line_after_the_runs_one_read_is_still_found_and_the_read_forgotten(workbench, token):
    ip = evidence.ip_of(workbench)
    flask_id = stack.container_id("flask")
    shells = Shells()
    run = Run(token, Identity(ip), ended=True, shells=shells)  # as runs.run_one makes it
    flask = service_host("flask", flask_id, run=run)
    try:
        request_from_workbench(workbench, f"first-{token}")
        assert evidence.wait_lines(flask, f"first-{token}")
        kept = run.found(all_lines(flask_id, FLASK_LOG))
        assert isinstance(kept, list) and any(f"first-{token}" in line for line in kept)
        request_from_workbench(workbench, f"second-{token}")  # after the run's read
        found = evidence.wait_lines(flask, f"second-{token}")
        assert found and f"second-{token}" in found[0] and found[0].startswith(f"{ip} - - [")
        assert run.found(all_lines(flask_id, FLASK_LOG)) is None  # stale: the exchange reads afresh
        lines = serverlogs.read({"flask": flask_id}, {"flask"}, token, Identity(ip), run=run)
        assert any(f"second-{token}" in line for line in lines["flask"])
    finally:
        shells.close()


def test_the_runs_one_read_holds_only_its_own_lines(workbench, token):
    ip = evidence.ip_of(workbench)
    flask_id = stack.container_id("flask")
    request_from_workbench(workbench, f"mine-{token}")
    other = Run(token, Identity("10.255.255.254"), ended=True)  # an address that sent nothing
    assert evidence.wait_lines(service_host("flask", flask_id, run=other), f"mine-{token}", timeout=0.5) == []
    mine = Run(token, Identity(ip), ended=True)
    assert evidence.wait_lines(service_host("flask", flask_id, run=mine), f"mine-{token}")
