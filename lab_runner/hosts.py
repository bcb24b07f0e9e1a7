"""testinfra hosts for the stack's containers, whose commands go through the engine's exec API.

testinfra's own docker backend starts one `docker exec` process per command; this backend asks
the engine directly, which is what makes a check's command cheap. Everything else is testinfra:

    >>> host = service_host("rsyslog", container_id)         # doctest: +SKIP
    >>> host.file("/var/log/syslog").contains("lab3")         # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import Any

import testinfra.host
from testinfra.backend import base

from lab_runner import stack
from lab_runner.context import Run
from lab_runner.engine import EngineError
from lab_runner.identity import Identity

COMMAND_TIMEOUT = 30.0
# Where a check's command runs, in any container (the run's sandbox included): a working
# directory, PATH and HOME the exercise cannot write (the root filesystem is read-only), and no
# Python path from them: a socket.py or json.py the exercise left in /tmp is never imported.
WORKDIR = "/"
ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/nonexistent",
    "PYTHONSAFEPATH": "1",  # a `python3 -c` does not put its working directory first on sys.path
    "LC_ALL": "C.UTF-8",
}


class EnvironmentProblem(Exception):
    """A check could not look at the stack (a container went away): the stack's fault, not the learner's."""


class CommandTimedOut(AssertionError):
    """A check's command did not finish in time: the run's failure (its server did not answer, or
    its checks' time is over), unless the stack's health check fails too (verdict.judge asks)."""


class EngineBackend(base.BaseBackend):
    NAME = "socketlab"

    def __init__(
        self,
        service: str,
        container: str,
        identity: Identity | None = None,
        deadline: float | None = None,
        run: Run | None = None,
        **kwargs: Any,
    ) -> None:
        self.service, self.container, self.deadline = service, container, deadline
        self.run_context = run or (Run("", identity) if identity else None)
        super().__init__(service, **kwargs)

    @property
    def identity(self) -> Identity | None:
        """The run whose lines lab_runner.evidence reads (None: every line)."""
        return self.run_context.identity if self.run_context else None

    def run(self, command: str, *args: str, **kwargs: Any) -> base.CommandResult:
        cmd = self.get_command(command, *args)
        timeout = COMMAND_TIMEOUT
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - time.monotonic())
            if timeout <= 0:
                raise CommandTimedOut(f"this run's checks ran out of time before a command in {self.service}")
        try:
            done = stack.engine().exec(
                self.container, ["/bin/sh", "-c", cmd], timeout=timeout, workdir=WORKDIR, env=ENV
            )
        except TimeoutError as err:
            raise CommandTimedOut(
                f"a check's command in {self.service} did not finish within {timeout:.0f} s"
            ) from err
        except (EngineError, OSError) as err:
            raise EnvironmentProblem(f"cannot run a command in {self.service}: {err}") from err
        if done.exit_code != 0 and b"Cannot fork" in done.stderr:  # the container's pids limit
            raise EnvironmentProblem(
                f"{self.service} could not start a command: {done.stderr.decode().strip()}"
            )
        return self.result(done.exit_code, self.encode(cmd), done.stdout, done.stderr)


def service_host(
    service: str,
    container: str,
    identity: Identity | None = None,
    deadline: float | None = None,
    run: Run | None = None,
) -> testinfra.host.Host:
    """A host for SERVICE's CONTAINER; IDENTITY (or RUN's), the run its checks judge: the log
    lines lab_runner.evidence reads on it are that run's alone, and RUN keeps what they found.
    No command starts after DEADLINE (monotonic)."""
    backend = EngineBackend(service, container, identity, deadline, run)
    host = testinfra.host.Host(backend)
    backend.set_host(host)
    return host
