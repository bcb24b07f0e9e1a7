"""Integration tests run against the real stack: bring it up once, fail loudly if we cannot."""

import pytest

from lab_runner import stack


@pytest.fixture(scope="session", autouse=True)
def stack_up() -> None:
    """`docker compose up -d --build --wait` once per session (fast when nothing changed)."""
    try:
        stack.up()
    except stack.StackError as err:
        pytest.exit(f"cannot bring the stack up: {err} (run ./bootstrap.sh first)", returncode=2)
