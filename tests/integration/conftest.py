"""Integration tests run against the real stack: bring it up once, fail loudly if we cannot.

Under pytest-xdist (the suite's default, pyproject.toml's addopts) each worker has a stack of its
own, so a test that stops, restarts or floods a service disturbs only the tests of its own
worker, which run one at a time: worker gw0 uses the project the session was started with
(COMPOSE_PROJECT_NAME, else compose.yaml's `name:`), gwN that name with -gwN after it, with ports
Docker picks (tests/conftest.py sets this before any test runs). The images are shared by name
across projects (compose.yaml), so a worker's stack is built once and started in seconds.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

import pytest

from lab_runner import stack


@pytest.fixture(scope="session", autouse=True)
def stack_up() -> None:
    """`docker compose up -d --build --wait` once per session (fast when nothing changed); a
    worker's own stack is taken down again at the end."""
    try:
        # One build at a time: the workers' stacks share the images, so the first builds them
        # and the others find them built (a few seconds of cache hits).
        with open(Path(tempfile.gettempdir()) / "socketlab-tests-build.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stack.compose("build", timeout=900)
        try:
            stack.up()
        except stack.StackError:
            # A stack an interrupted run left half made (a container compose was renaming to
            # recreate it): taken down, its volumes kept, and made again once.
            stack.compose("down", "--remove-orphans", timeout=300, check=False)
            stack.up()
    except stack.StackError as err:
        pytest.exit(f"cannot bring the stack up: {err} (run ./bootstrap.sh --test first)", returncode=2)
    yield
    if os.environ.get("SOCKETLAB_TESTS_OWN_STACK") == stack.project():
        stack.compose("down", "-v", "--remove-orphans", timeout=300, check=False)
