"""The project's own tests: unit tests (no Docker) and integration tests on the real stack.

Their fixtures: the stack's containers as testinfra hosts, and a fresh token per test.

    def test_line_in_syslog(rsyslog, token): ...

(The labs' checks do not use pytest: lab_runner.checks passes them the same names.)

The suite runs on pytest-xdist's workers (pyproject.toml's addopts), each on a Compose stack of its
own (pytest_configure below, tests/integration/conftest.py). Tests that must share a worker, a
module's expensive module-scoped fixture or an order within a module, are grouped (GROUPS).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import testinfra

from lab_runner import runs, stack
from lab_runner.hosts import service_host

# Modules whose tests run on one worker, in their order: a module-scoped fixture that runs labs
# (made once, not once per worker) or starts a stack of its own, or a test that must come last.
GROUPS = {
    "test_two_stacks.py": "a second stack, taken down by the module's last test",
    "test_page_layout.py": "each lab's solution and starter run once, for all the module's tests",
    "test_hardening.py": "docker inspect of the stack, and a sandbox claimed once",
    "test_red_team.py": "a module-scoped run shared by its tests",
    "test_red_team_services.py": "module-scoped runs shared by its tests",
    "test_lab11_attacks.py": "a module-scoped run shared by its tests",
}


def pytest_configure(config: pytest.Config) -> None:
    """On xdist worker gwN (N > 0): a Compose project of its own, PROJECT-gwN, on ports Docker
    picks. lab_runner and every `docker compose` a test runs read these variables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if worker == "gw0":
        return
    own = f"{stack.project()}-{worker}"
    os.environ.update({"COMPOSE_PROJECT_NAME": own, "FLASK_PORT": "0", "CHAT_PORT": "0"})
    os.environ["SOCKETLAB_TESTS_OWN_STACK"] = own  # tests/integration/conftest.py takes it down


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in GROUPS:
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


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
