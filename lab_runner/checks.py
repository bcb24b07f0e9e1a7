"""Run a lab's checks: plain test functions in labs/NN_slug/checks/test_*.py, with plain asserts.

A check names what it needs as parameters, the way pytest fixtures work, and lab_runner
passes them in:

    def test_the_line_is_in_syslog(rsyslog, token, exercise):
        assert wait_lines(rsyslog, token), "no line with this run's token"

- `flask`, `chat`, `rsyslog`, `workbench`: testinfra hosts of the stack's containers (`workbench`
  is the run's own sandbox, where the exercise ran; `machine` the stack's workbench, where no
  exercise runs: for facts of the machine). Their commands run from `/`, with a PATH and HOME
  the exercise cannot write (lab_runner/hosts.py);
- `token`: this run's token; `run`: the run itself (lab_runner/context.py: its token, identity,
  and `run.once(key, find)` for what several checks need made once per run); `exercise`: what
  the exercise did (an ExerciseResult: its output, exit code, and `calls`, the socket calls
  strace recorded); `calls`: the same Trace;
  `live()`: a fresh ExerciseResult, for a server lab whose exercise runs during the checks.

The checks run in this process without pytest (a run costs no pytest start-up), side by side
in threads since each mostly waits on container execs; a server lab's checks, which drive
one live server as clients, run one after another in order. A failed assert's message is
the check's reason; a bare assert shows its own line.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib.util
import inspect
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab_runner.context import Run
from lab_runner.exercise_result import ExerciseResult
from lab_runner.hosts import EnvironmentProblem, service_host
from lab_runner.identity import Identity
from lab_runner.labs import Lab

CHECKS_AT_ONCE = 4  # checks of one lab at a time (times 4 labs: execs the containers' pids limits allow)
CHECKS_TIME = 90.0  # seconds all of one run's checks may take: a run that makes them wait fails, alone
ON_TRACE = {"calls", "exercise", "live"}  # a check with one of these parameters judges the trace


@dataclass
class CheckResult:
    """One check function's outcome."""

    name: str
    """The test function's name, e.g. test_line_in_syslog."""
    step: int
    """The step it belongs to (1-based)."""
    passed: bool
    reason: str = ""
    """For a failure: the assertion's message (what was observed)."""
    environment: bool = False
    """True when it failed because the stack was not there, not because of the exercise."""


class ChecksError(Exception):
    """The checks could not be run (none found, or they do not import): the lab is broken."""


def load(lab: Lab) -> dict[str, Callable]:
    """Every check function of LAB, by name, in file order; ChecksError if none or they don't load."""
    files = sorted(lab.checks_dir.glob("test_*.py"))
    if not files:
        raise ChecksError(f"{lab.checks_dir} has no test_*.py: a lab without checks cannot pass")
    found: dict[str, Callable] = {}
    for path in files:
        spec = importlib.util.spec_from_file_location(f"labchecks_{lab.folder.name}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[spec.name] = module  # type: ignore[union-attr]  (dataclasses look their module up)
        try:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        except Exception as err:  # a broken lab, whatever the error: say where
            raise ChecksError(f"the checks do not load: {path.name}: {type(err).__name__}: {err}") from err
        for name, func in vars(module).items():
            if name.startswith("test_") and inspect.isfunction(func) and func.__module__ == module.__name__:
                found[name] = func
    if not found:
        raise ChecksError(
            f"{lab.checks_dir} has no check functions (def test_...): a lab without checks cannot pass"
        )
    in_steps = {c for step in lab.steps for c in step.checks}
    if missing := sorted(in_steps - set(found)):
        raise ChecksError(f"lab.toml names checks that do not exist: {', '.join(missing)}")
    if stray := sorted(set(found) - in_steps):
        raise ChecksError(f"check(s) in no step of lab.toml: {', '.join(stray)}")
    return found


def _reason(err: AssertionError) -> str:
    message = str(err).strip()
    if message:
        return message
    frame = traceback.extract_tb(err.__traceback__)[-1]
    return f"{(frame.line or 'assert').strip()} ({Path(frame.filename).name}:{frame.lineno})"


def cut_trace(ran: ExerciseResult, params: object) -> None:
    """Fail closed: a check that judges the trace cannot judge one that was cut short."""
    if ran.trace_cut and ON_TRACE & set(params):  # type: ignore[arg-type]
        kept = len(ran.trace)
        raise AssertionError(
            f"the trace was cut after {kept:,} calls: this run made too many"
            f" ({kept + ran.trace_cut:,} socket calls) to judge"
        )


def run(
    lab: Lab,
    token: str,
    exercise: ExerciseResult,
    containers: dict[str, str],
    live: Callable[[], ExerciseResult] | None = None,
    identity: Identity | None = None,
    context: Run | None = None,
) -> list[CheckResult]:
    """Every check of LAB for this run, in step order; one CheckResult each.

    LIVE gives what the exercise did so far (a server lab's exercise still runs during checks).
    IDENTITY is the run's sandbox: the hosts' log readers (lab_runner/evidence.py) return only
    the lines it sent. CONTEXT (made here when not given) is what the run keeps while it lasts:
    the checks get it as `run`, the hosts carry it.
    """
    context = context or Run(token, identity)
    functions = load(lab)
    hosts: dict[str, object] = {}
    deadline = time.monotonic() + CHECKS_TIME
    latest = live or (lambda: exercise)

    def host(service: str) -> object:
        if service not in containers:
            raise EnvironmentProblem(f"the lab does not name the service '{service}' in lab.toml")
        if service not in hosts:
            hosts[service] = service_host(service, containers[service], deadline=deadline, run=context)
        return hosts[service]

    given = {
        "token": lambda: token,
        "run": lambda: context,
        "exercise": lambda: exercise,
        "calls": lambda: exercise.calls,
        "live": lambda: live or (lambda: exercise),
    }

    def one(number: int, name: str) -> CheckResult:
        func = functions[name]
        result = CheckResult(name=name, step=number, passed=True)
        params = inspect.signature(func).parameters
        try:
            cut_trace(latest(), params)
            args = {p: given[p]() if p in given else host(p) for p in params}
            func(**args)
            cut_trace(latest(), params)  # a server lab's trace grows while its checks run
        except AssertionError as err:
            result.passed, result.reason = False, _reason(err)
        except EnvironmentProblem as err:
            result.passed, result.reason, result.environment = False, str(err), True
        except Exception as err:  # a check that breaks on odd evidence fails; it never passes
            where = traceback.extract_tb(err.__traceback__)[-1]
            result.passed = False
            result.reason = f"{type(err).__name__}: {err} (in {Path(where.filename).name}:{where.lineno})"
        return result

    todo = [(number, name) for number, step in enumerate(lab.steps, 1) for name in step.checks]
    if lab.serve:  # the checks drive one live server as clients: one after the other, in order
        return [one(number, name) for number, name in todo]
    # Otherwise they only look at evidence: side by side, since each waits on container execs.
    for service in {p for f in functions.values() for p in inspect.signature(f).parameters} - set(given):
        with contextlib.suppress(EnvironmentProblem):
            host(service)  # made once, before the threads share them
    with concurrent.futures.ThreadPoolExecutor(CHECKS_AT_ONCE) as pool:
        return list(pool.map(lambda item: one(*item), todo))
