"""Run a lab's checks (plain testinfra test functions in labs/NN_slug/checks/) with pytest.

pytest runs in this process with a small plugin that records each check's outcome; its own
terminal output is kept out of the learner's way (lab_runner prints the verdict).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from lab_runner.fixtures import ENVIRONMENT


@dataclass
class CheckResult:
    """One check function's outcome."""

    name: str
    """The test function's name, e.g. test_line_in_syslog."""
    passed: bool
    reason: str = ""
    """For a failure: the assertion or error, in one or a few lines."""
    environment: bool = False
    """True when it failed because the stack was not there, not because of the exercise."""


class _Recorder:
    """pytest plugin: one CheckResult per check, from its setup, call and teardown reports."""

    def __init__(self) -> None:
        self.results: dict[str, CheckResult] = {}
        self.collected = 0
        self.collect_errors: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {_reason(report)}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.collected = len(items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.split("::", 1)[-1]
        result = self.results.setdefault(name, CheckResult(name=name, passed=True))
        if report.failed and result.passed:
            reason = _reason(report)
            result.passed = False
            result.environment = reason.startswith(ENVIRONMENT)
            result.reason = reason.removeprefix(ENVIRONMENT) if result.environment else reason
        elif report.skipped and report.when in ("setup", "call"):
            result.passed = False
            result.reason = "skipped: a check may not skip"


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The short message of a failure: the check's own message when it has one, else the assert."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = crash.message if crash is not None else str(report.longrepr)
    lines = [line for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "failed"
    first = lines[0].removeprefix("Failed: ").removeprefix("AssertionError: ")
    if first != lines[0] and not first.startswith("assert "):
        return first  # `assert x, "message"`: the message says it; pytest's rewrite is noise
    return "\n".join([first, *lines[1:4]])


class ChecksError(Exception):
    """The checks could not be run (none found, or they do not import): the lab is broken."""


def run(
    checks_dir: Path, token: str, exercise_output: str, containers: dict[str, str] | None = None
) -> list[CheckResult]:
    """Run every check in CHECKS_DIR for the run TOKEN; one CheckResult per check.

    CONTAINERS (service -> container id) are the ones the fixtures use, when known.
    """
    if not sorted(checks_dir.glob("test_*.py")):
        raise ChecksError(f"{checks_dir} has no test_*.py: a lab without checks cannot pass")
    recorder = _Recorder()
    args = [
        str(checks_dir),
        "-p", "lab_runner.fixtures",
        "-p", "no:cacheprovider",
        "--import-mode=importlib",  # every lab has its own checks/test_*.py names
        "--rootdir", str(checks_dir.parent.parent),  # labs/: module names carry the lab folder
        "-c", os.devnull,  # the checks use no project pytest config
        "-q",
    ]  # fmt: skip
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".out") as out:
        out.write(exercise_output)
        out.flush()
        env = {
            "LAB_TOKEN": token,
            "LAB_EXERCISE_OUTPUT": out.name,
            "LAB_CONTAINERS": json.dumps(containers or {}),
        }
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        modules = set(sys.modules)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                pytest.main(args, plugins=[recorder])
        finally:
            for name in set(sys.modules) - modules:  # the next run imports the checks afresh
                if str(getattr(sys.modules[name], "__file__", "")).startswith(str(checks_dir)):
                    del sys.modules[name]
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    if recorder.collect_errors:
        raise ChecksError("the checks do not load: " + recorder.collect_errors[0])
    if recorder.collected == 0:
        raise ChecksError(
            f"{checks_dir} has no check functions (def test_...): a lab without checks cannot pass"
        )
    return list(recorder.results.values())
