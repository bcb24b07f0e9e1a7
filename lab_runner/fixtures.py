"""pytest fixtures shared by the labs' checks and the project's tests (a pytest plugin).

Each compose service has a fixture of its name that gives a testinfra host running commands
in that service's container through the docker backend, so a check reads like:

    def test_line_in_syslog(rsyslog, token):
        assert log_lines(rsyslog, "/var/log/syslog", token)

`token` is this run's token and `exercise_output` what the exercise printed.

Containers are looked up from the compose project each time (never by a fixed name), so a
fixture stays right after the stack is recreated.
"""

from __future__ import annotations

import json
import os
import shlex
import time
import uuid
from collections.abc import Callable

import pytest
import testinfra

from lab_runner import stack

ENVIRONMENT = "environment: "  # marks a failure that is the stack's, not the learner's


def service_host(service: str) -> testinfra.host.Host:
    """A testinfra host for the running, healthy container of SERVICE.

    lab_runner has just checked the stack and passes the containers in LAB_CONTAINERS (JSON,
    service -> id), which saves asking Compose again for every check.
    """
    known = json.loads(os.environ.get("LAB_CONTAINERS") or "{}")
    try:
        return testinfra.get_host(f"docker://{known.get(service) or stack.container_id(service)}")
    except stack.StackError as err:
        pytest.fail(f"{ENVIRONMENT}{err}", pytrace=False)


@pytest.fixture
def host_of() -> Callable[[str], testinfra.host.Host]:
    """host_of("chat") -> testinfra host of the chat container."""
    return service_host


@pytest.fixture
def flask() -> testinfra.host.Host:
    return service_host("flask")


@pytest.fixture
def chat() -> testinfra.host.Host:
    return service_host("chat")


@pytest.fixture
def rsyslog() -> testinfra.host.Host:
    return service_host("rsyslog")


@pytest.fixture
def workbench() -> testinfra.host.Host:
    return service_host("workbench")


@pytest.fixture
def token() -> str:
    """This run's unique token: LAB_TOKEN when lab_runner set it, else a fresh one per test."""
    return os.environ.get("LAB_TOKEN") or f"tok-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def exercise_output() -> str:
    """What this run's exercise printed (lab_runner passes it in LAB_EXERCISE_OUTPUT, a file)."""
    path = os.environ.get("LAB_EXERCISE_OUTPUT")
    if not path:
        pytest.fail(f"{ENVIRONMENT}no exercise output: run the checks through lab_runner", pytrace=False)
    with open(path, encoding="utf-8", errors="backslashreplace") as f:
        return f.read()


def log_lines(host: testinfra.host.Host, path: str, needle: str, timeout: float = 2.0) -> list[str]:
    """The lines of the log file PATH on HOST that contain NEEDLE (a plain string, not a regex).

    Waits up to TIMEOUT seconds for at least one, since a server may write its line a moment
    after the client is done; returns [] if none came.
    """
    # -a: logs may hold bytes that are not text (a learner's raw bytes); -F: no regex.
    cmd = f"grep -aF -- {shlex.quote(needle)} {shlex.quote(path)}"
    deadline = time.monotonic() + timeout
    while True:
        found = host.run(cmd).stdout.splitlines()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
