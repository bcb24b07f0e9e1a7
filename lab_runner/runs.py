"""One run of one lab, as every command makes it: claim a sandbox, run the exercise in it, run the
checks (while a server lab's exercise still runs), read the exchange beside the cleanup, and
hand it all to verdict.judge.

    result = runs.run_one(lab, Path("labs/03_dev_log/exercise.py"), containers, learner="alice")

LEARNER names whose values the run draws (lab_runner/values.py): the exercise gets them in its
environment, the checks in `run.values`, and the lab's texts say them.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import Future
from pathlib import Path

from lab_runner import checks, exchange, faults, labs, lanes, lossy_link, serverlogs, stack, values
from lab_runner.context import Run
from lab_runner.exercise_result import ExerciseResult
from lab_runner.identity import Identity
from lab_runner.labs import Lab, LabError
from lab_runner.running import Running
from lab_runner.session import Session
from lab_runner.verdict import LabResult, judge


def server_lines(
    lab: Lab, token: str, ran: ExerciseResult, containers: dict[str, str], context: Run
) -> tuple[dict, dict]:
    """The services' addresses, and this run's lines of their logs (those CONTEXT's identity, the
    run's sandbox, sent: with the token, or on the ports RAN's packets tell, while it ran)."""
    assert context.identity is not None  # run_one reads it from the engine first
    ips = serverlogs.ips({s: containers[s] for s in lab.services})
    _, ports = lanes.seen_from(ran, ips)
    until = ran.started_at + ran.seconds + 1 if ran.started_at else 0.0
    lines = serverlogs.read(
        containers, set(lab.services), token, context.identity, ports, ran.started_at, until, context
    )
    return ips, lines


def identity_of(sandbox: str) -> Identity:
    """The run's identity to the services: its sandbox's address, from the engine."""
    ip = serverlogs.ips({"sandbox": sandbox}).get("sandbox")
    if not ip:
        raise stack.StackError(
            f"cannot read the address of the run's sandbox {sandbox}: run '{stack.UP_COMMAND}'"
        )
    return Identity(ip)


def exchange_of(lab: Lab, token: str, ran: ExerciseResult, read: Future) -> dict:
    """The run's exchange, built once: its calls and packets, and the lines its servers wrote
    about it (READ: server_lines, started once the checks were done, beside the cleanup)."""
    try:
        ips, lines = read.result()
        found = exchange.Exchange(ran, token, ips)
        found.add_logs(lines)
        return found.record()
    except Exception as err:  # a view of the run, never its verdict: say what went wrong, go on
        return {"error": f"{type(err).__name__}: {err}", "lanes": [], "events": []}


def new_token(name: str) -> str:
    """A run's token, e.g. lab3-dc8324116d21: in what it sends, so its checks find its lines alone."""
    return f"{name}-{uuid.uuid4().hex[:12]}"


def run_one(
    lab: Lab,
    exercise_file: Path,
    containers: dict[str, str],
    timeout: float | None = None,
    session: Session | None = None,
    learner: str | None = None,
) -> LabResult:
    """Exercise, then checks (while a server lab's exercise still runs), then the verdict.
    SESSION: the process's pool and readers (cli.main's); without one, a session for this run.
    LEARNER: whose values it draws (grade: the learner's folder; default: values.default_name())."""
    if session is None:
        own = Session()
        try:
            return run_one(lab, exercise_file, containers, timeout, own, learner)
        finally:
            own.close()
    started = time.monotonic()
    token = new_token(lab.key)
    learner = learner or values.default_name()
    mine = lab.values_of(learner)
    lab = lab.as_seen_by(mine)  # its texts say this learner's values: the report, hints and page too
    needed = labs.services_for([lab])
    before = stack.starts({service: containers[service] for service in needed})  # see judge
    box, limit = containers["workbench"], timeout or lab.timeout
    env = values.environment(mine)
    link = lossy_link.header(lab.link)
    with Running(
        box,
        exercise_file,
        lab.folder,
        token,
        limit,
        lab.serve,
        lab.stall,
        session.pool,
        env,
        link,
        faults.seen_by(lab.faults, mine),
    ) as running:
        running.wait()
        if untraced := running.result().untraced:  # the sandbox cannot trace: not the learner's doing
            raise stack.StackError(
                f"the sandbox could not trace the exercise ({untraced}): run '{stack.UP_COMMAND}'"
            )
        # The checks look at the sandbox as "the workbench": it is where the exercise ran; the
        # services' lines are the run's when they came from its address (or its uid). The
        # stack's own workbench, where no exercise runs, is "machine": for facts of the machine.
        where = {**containers, "workbench": running.sandbox, "machine": containers["workbench"]}
        context = Run(  # dropped with the run
            token, identity_of(running.sandbox), values=mine, ended=not lab.serve, shells=session.shells
        )
        try:
            results = checks.run(lab, token, running.result(), where, running.result, context=context)
        except checks.ChecksError as err:
            raise LabError(f"{lab.key}: {err}") from err
        # The exchange's lines are read beside the cleanup.
        read = session.reader.submit(server_lines, lab, token, running.result(), containers, context)
    ran = running.result()
    session.shells.forget(running.sandbox)
    session.pool.after_run(containers["workbench"])
    record = exchange_of(lab, token, ran, read)
    healthy = lambda: stack.require_unchanged(before)  # noqa: E731
    return judge(lab, token, ran, results, healthy, time.monotonic() - started, record, learner, mine)
