"""The compose project: find its containers, check their health, and run `docker compose`.

Service names are the interface (flask, chat, rsyslog, workbench); container names are never
assumed. Containers are found through the engine by Compose's own labels, in one API call:

    >>> require_healthy(["rsyslog"])      # doctest: +SKIP
    {'rsyslog': '3f0c9a...'}

The project is COMPOSE_PROJECT_NAME when set, else compose.yaml's `name:`, as for Compose.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import time

from lab_runner.engine import Engine, EngineError
from lab_runner.paths import COMPOSE_FILE, ROOT

UP_COMMAND = "docker compose up -d --build --wait"
NO_ENGINE = "no Docker engine answers: run ./bootstrap.sh (as root on a bare Debian host)"
# A running service that is not healthy yet, or marked unhealthy, or one Docker is restarting
# (its restart policy), is given this long: Docker's status lags (a check every 10 s, unhealthy
# after 3 that failed or took over 5 s, as on a loaded machine), and one check that passes makes
# it healthy again.
HEALTH_WAIT = 15.0


class StackError(Exception):
    """The environment is not ready (no Docker, stack down or unhealthy): exit code 2."""


class Skipped(StackError):
    """This machine cannot run the lab at all (lab 15's lossy link: a kernel that cannot drop
    packets): the lab is skipped, never failed (cli.py: one line, exit code 5)."""


def project() -> str:
    """The compose project's name, as `docker compose` would take it."""
    if name := os.environ.get("COMPOSE_PROJECT_NAME"):
        return name
    found = re.search(r"^name:\s*['\"]?([\w.-]+)", COMPOSE_FILE.read_text(encoding="utf-8"), re.M)
    return found.group(1) if found else ROOT.name.lower()


@functools.cache
def engine() -> Engine:
    """The engine, once per process; StackError when none is configured usably."""
    try:
        return Engine()
    except EngineError as err:
        raise StackError(str(err)) from err


def compose(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `docker compose -f compose.yaml ARGS` (for what Compose has no API for: up, build, stop)."""
    if shutil.which("docker") is None:
        raise StackError("the docker command is missing: run ./bootstrap.sh")
    cmd = ["docker", "compose", "-f", str(COMPOSE_FILE), *args]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise StackError(f"'docker compose {' '.join(args)}' did not finish within {timeout:.0f} s") from err
    if check and done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise StackError(f"'docker compose {' '.join(args)}' failed: {last}")
    return done


def _health(status: str) -> str:
    """'Up 5 minutes (healthy)' -> 'healthy'; '' when the container has no health check."""
    found = re.search(r"\((healthy|unhealthy|health: starting)\)", status)
    return found.group(1).removeprefix("health: ") if found else ""


def status() -> dict[str, dict[str, str]]:
    """Each service's container: {"rsyslog": {"id", "state", "health"}}."""
    labels = {"com.docker.compose.project": project(), "com.docker.compose.oneoff": "False"}
    try:
        found = engine().containers(labels)
    except EngineError as err:
        raise StackError(f"{NO_ENGINE} ({err})") from err
    return {
        c["Labels"]["com.docker.compose.service"]: {
            "id": c["Id"],
            "state": c.get("State", ""),
            "health": _health(c.get("Status", "")),
        }
        for c in found
    }


def require_healthy(wanted: list[str]) -> dict[str, str]:
    """Container ids of the wanted services, or StackError saying what is wrong and what to run."""
    if not engine().ping():  # engine() itself says when DOCKER_HOST is not usable
        raise StackError(NO_ENGINE)
    deadline = time.monotonic() + HEALTH_WAIT
    while True:
        current, ids, waiting = status(), {}, None
        for name in wanted:
            info = current.get(name)
            if info is None or info["state"] not in ("running", "restarting"):
                state = info["state"] if info else "not created"
                raise StackError(f"service '{name}' is {state}: run '{UP_COMMAND}'")
            if (state := info["state"]) == "restarting" or info["health"] not in ("healthy", ""):
                waiting = waiting or (name, state if state == "restarting" else info["health"])
            ids[name] = info["id"]
        if waiting is None:
            return ids
        if time.monotonic() > deadline:
            name, health = waiting
            raise StackError(
                f"service '{name}' is {health}, not healthy, after {HEALTH_WAIT:g} s: "
                f"wait, or run '{UP_COMMAND}' (logs: docker compose logs {name})"
            )
        time.sleep(0.5)


def starts(ids: dict[str, str]) -> dict[str, str]:
    """When each service's container (IDS: by service) last started, as the engine says
    (State.StartedAt): a run notes them before its exercise, so that a service Docker restarted
    while it ran is seen (require_unchanged), even once it is healthy again."""
    found = {}
    for service, container in ids.items():
        try:
            info = engine().request("GET", f"/containers/{container}/json")
            found[service] = info["State"]["StartedAt"]  # type: ignore[index]
        except (EngineError, OSError, KeyError, TypeError) as err:
            raise StackError(f"cannot ask the engine about service '{service}': {err}") from err
    return found


def require_unchanged(before: dict[str, str]) -> None:
    """StackError unless each service of BEFORE (starts()) is healthy and its container has not
    started again since: a failure while a service was down is the stack's, not the learner's."""
    ids = require_healthy(list(before))
    for service, started in starts(ids).items():
        if started != before[service]:
            raise StackError(
                f"service '{service}' restarted during the run: run it again "
                f"(logs: docker compose logs {service})"
            )


def container_id(service: str) -> str:
    """The id of the running container of SERVICE."""
    return require_healthy([service])[service]


def published(service: str) -> dict[int, tuple[str, int]]:
    """What the running stack publishes for SERVICE: {container port: (host ip, host port)},
    read from the engine, so whatever FLASK_PORT or CHAT_PORT (0: Docker picks) it was started with."""
    try:
        info = engine().request("GET", f"/containers/{container_id(service)}/json")
    except EngineError as err:
        raise StackError(f"{NO_ENGINE} ({err})") from err
    return {
        int(key.split("/")[0]): (bindings[0]["HostIp"] or "0.0.0.0", int(bindings[0]["HostPort"]))
        for key, bindings in (info.get("NetworkSettings", {}).get("Ports") or {}).items()
        if key.endswith("/tcp") and bindings
    }


def up(timeout: float = 900) -> None:
    """Build what changed, start the stack, and return once every service is healthy."""
    compose("up", "-d", "--build", "--wait", timeout=timeout)
