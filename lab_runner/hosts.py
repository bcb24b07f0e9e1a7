"""testinfra hosts for the stack's containers, whose commands go through the engine's exec API.

testinfra's own docker backend starts one `docker exec` process per command; this backend asks
the engine directly, which is what makes a check's command cheap. Everything else is testinfra:

    >>> host = service_host("rsyslog", container_id)         # doctest: +SKIP
    >>> host.file("/var/log/syslog").contains("lab3")         # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import testinfra.host
from testinfra.backend import base
from testinfra.modules.systeminfo import SystemInfo

from lab_runner import stack
from lab_runner.context import Run
from lab_runner.engine import EngineError
from lab_runner.identity import Identity
from lab_runner.shells import ENV, WORKDIR

COMMAND_TIMEOUT = 30.0


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
        shells = self.run_context.shells if self.run_context else None
        try:
            if shells is not None:  # a run's checks: an open shell (lab_runner/shells.py)
                done = shells.run(self.container, cmd, timeout)
            else:  # a host of the project's tests: an exec
                done = stack.engine().exec(
                    self.container, ["/bin/sh", "-c", cmd], timeout=timeout, workdir=WORKDIR, env=ENV
                )
        except TimeoutError as err:
            raise CommandTimedOut(
                f"a check's command in {self.service} did not finish within {timeout:.0f} s"
            ) from err
        except (EngineError, OSError) as err:
            raise EnvironmentProblem(f"cannot run a command in service '{self.service}': {err}") from err
        if done.exit_code != 0 and b"Cannot fork" in done.stderr:  # the container's pids limit
            raise EnvironmentProblem(
                f"service '{self.service}' could not start a command: {done.stderr.decode().strip()}"
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
    info = host.system_info
    info.__dict__["sysinfo"] = LinuxInfo(lambda: SystemInfo.sysinfo.func(info))
    return host


class LinuxInfo(dict):
    """testinfra's system facts, where host.file() asks only the type: every container of the
    engine runs Linux, so its type is known without `uname -s` and `cat /etc/os-release` (two
    commands in the container for every host a check makes). Any other fact is asked of the
    container, once, the first time a check wants it."""

    def __init__(self, ask: Callable[[], dict]) -> None:
        super().__init__(type="linux")
        self.ask = ask

    def __missing__(self, key: str) -> object:
        self.update(self.ask())
        return self[key]
