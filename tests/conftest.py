"""The project's own tests: unit tests (no Docker) and integration tests on the real stack."""

pytest_plugins = ["lab_runner.fixtures"]
