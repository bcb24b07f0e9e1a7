"""One lab_runner process's means of running labs: made once in cli.main, passed down, closed
at its end. Nothing of it lives in a module, so a command's policy (grade keeps spares for its
parallel runs) is the session's, said where the session is made, not a module changed from afar.

    session = Session()
    session.pool.keep(parallel=8)          # grade: refill as it goes, 8 spares
    runs.run_one(lab, path, containers, session=session)
    session.close()                        # a CLI run: spares for the next run, by another process
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass, field

from lab_runner import sandbox, shells

READERS = 16  # the exchange's server-line reads at once (a read per run; grade runs 8 at once)


def _readers() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(READERS, "server-lines")


@dataclass
class Session:
    """The sandbox pool and its policy, and the threads that read the servers' lines for the
    exchange beside a run's cleanup. The engine is stack.engine(): one per process, the
    machine's Docker Engine, which no run changes."""

    pool: sandbox.Pool = field(default_factory=sandbox.Pool)
    """Where runs claim their sandboxes; its `stays`/`wanted` say whether it refills as it goes."""
    reader: concurrent.futures.ThreadPoolExecutor = field(default_factory=_readers)
    """Reads each run's server lines for its exchange, beside the sandbox's cleanup."""
    shells: shells.Shells = field(default_factory=shells.Shells)
    """Shells kept open in the services' containers, for the checks' commands there."""

    def close(self) -> None:
        """The process ends: finish the spares half made (a container created, not started,
        would outlive us), then leave spares for the next run to a process that outlives this one."""
        self.reader.shutdown(wait=True)
        self.shells.close()
        self.pool.wait()
        self.pool.refill_later()
