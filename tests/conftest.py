"""The project's own tests: unit tests (no Docker) and integration tests on the real stack.

Their fixtures: the stack's containers as testinfra hosts, and a fresh token per test.

    def test_line_in_syslog(rsyslog, token): ...

(The labs' checks do not use pytest: lab_runner.checks passes them the same names.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import testinfra

from lab_runner import runs, stack
from lab_runner.hosts import service_host


def host_for(service: str) -> testinfra.host.Host:
    """A testinfra host for the running, healthy container of SERVICE, looked up now."""
    try:
        return service_host(service, stack.container_id(service))
    except stack.StackError as err:
        pytest.fail(f"environment: {err}", pytrace=False)


@pytest.fixture
def host_of() -> Callable[[str], testinfra.host.Host]:
    """host_of("chat") -> testinfra host of the chat container."""
    return host_for


@pytest.fixture
def flask() -> testinfra.host.Host:
    return host_for("flask")


@pytest.fixture
def chat() -> testinfra.host.Host:
    return host_for("chat")


@pytest.fixture
def rsyslog() -> testinfra.host.Host:
    return host_for("rsyslog")


@pytest.fixture
def workbench() -> testinfra.host.Host:
    return host_for("workbench")


@pytest.fixture
def token() -> str:
    """A fresh token per test, so no test passes on another's lines."""
    return runs.new_token("tok")
