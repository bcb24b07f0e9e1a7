"""testinfra hosts for the stack's containers, whose commands go through the engine's exec API.

testinfra's own docker backend starts one `docker exec` process per command; this backend asks
the engine directly, which is what makes a check's command cheap. Everything else is testinfra:

    >>> host = service_host("rsyslog", container_id)         # doctest: +SKIP
    >>> host.file("/var/log/syslog").contains("lab3")         # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import testinfra.host
from testinfra.backend import base

from lab_runner import stack
from lab_runner.engine import EngineError
from lab_runner.identity import Identity

COMMAND_TIMEOUT = 30.0


class EnvironmentProblem(Exception):
    """A check could not look at the stack (a container went away): the stack's fault, not the learner's."""


class EngineBackend(base.BaseBackend):
    NAME = "socketlab"

    def __init__(self, service: str, container: str, identity: Identity | None = None, **kwargs: Any) -> None:
        self.service, self.container = service, container
        self.identity = identity  # the run whose lines lab_runner.evidence reads (None: every line)
        super().__init__(service, **kwargs)

    def run(self, command: str, *args: str, **kwargs: Any) -> base.CommandResult:
        cmd = self.get_command(command, *args)
        try:
            done = stack.engine().exec(self.container, ["/bin/sh", "-c", cmd], timeout=COMMAND_TIMEOUT)
        except (EngineError, OSError) as err:
            raise EnvironmentProblem(f"cannot run a command in {self.service}: {err}") from err
        if done.exit_code != 0 and b"Cannot fork" in done.stderr:  # the container's pids limit
            raise EnvironmentProblem(
                f"{self.service} could not start a command: {done.stderr.decode().strip()}"
            )
        return self.result(done.exit_code, self.encode(cmd), done.stdout, done.stderr)


def service_host(service: str, container: str, identity: Identity | None = None) -> testinfra.host.Host:
    """A host for SERVICE's CONTAINER; IDENTITY, the run its checks judge: the log lines
    lab_runner.evidence reads on it are that run's alone."""
    backend = EngineBackend(service, container, identity)
    host = testinfra.host.Host(backend)
    backend.set_host(host)
    return host
