"""pytest fixtures shared by the labs' checks and the project's tests (a pytest plugin).

Each compose service has a fixture of its name that gives a testinfra host running commands
in that service's container through the docker backend, so a check reads like:

    def test_line_in_syslog(rsyslog, token):
        assert rsyslog.file("/var/log/syslog").contains(token)

Containers are looked up from the compose project each time (never by a fixed name), so a
fixture stays right after the stack is recreated.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest
import testinfra

from lab_runner import stack


def service_host(service: str) -> testinfra.host.Host:
    """A testinfra host for the running, healthy container of SERVICE."""
    try:
        return testinfra.get_host(f"docker://{stack.container_id(service)}")
    except stack.StackError as err:
        pytest.fail(f"environment: {err}", pytrace=False)


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
