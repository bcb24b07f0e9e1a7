"""The compose project: run `docker compose`, find its containers, and check their health.

Service names are the interface (flask, chat, rsyslog, workbench); container names are never
assumed, they are asked of Compose:

    >>> container_id("rsyslog")      # doctest: +SKIP
    '3f0c9a...'
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "compose.yaml"
UP_COMMAND = "docker compose up -d --build --wait"


class StackError(Exception):
    """The environment is not ready (no Docker, stack down or unhealthy): exit code 2."""


def compose(*args: str, timeout: float | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `docker compose -f compose.yaml ARGS` from the repository root and capture its output."""
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


def engine_ok() -> bool:
    """True when a Docker engine answers."""
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def services() -> list[str]:
    """The service names defined in compose.yaml."""
    return compose("config", "--services").stdout.split()


def status() -> dict[str, dict[str, str]]:
    """Each running or stopped service's container: {"rsyslog": {"id", "state", "health"}}."""
    out = compose("ps", "--all", "--format", "json").stdout
    rows: list[dict] = []
    for line in out.splitlines():
        line = line.strip()
        if not line:
            continue
        parsed = json.loads(line)  # Compose prints one JSON object per line (or one list)
        rows.extend(parsed if isinstance(parsed, list) else [parsed])
    return {
        row["Service"]: {"id": row["ID"], "state": row.get("State", ""), "health": row.get("Health", "")}
        for row in rows
    }


def require_healthy(wanted: list[str] | None = None) -> dict[str, str]:
    """Container ids of the wanted services, or StackError saying what is wrong and what to run."""
    if not engine_ok():
        raise StackError("no Docker engine answers: run ./bootstrap.sh (as root on a bare Debian host)")
    wanted = wanted or services()
    current = status()
    ids = {}
    for name in wanted:
        info = current.get(name)
        if info is None or info["state"] != "running":
            state = info["state"] if info else "not created"
            raise StackError(f"service '{name}' is {state}: run '{UP_COMMAND}'")
        if info["health"] not in ("healthy", ""):
            raise StackError(
                f"service '{name}' is {info['health'] or 'starting'}, not healthy: "
                f"wait, or run '{UP_COMMAND}' (logs: docker compose logs {name})"
            )
        ids[name] = info["id"]
    return ids


def container_id(service: str) -> str:
    """The id of the running container of SERVICE."""
    return require_healthy([service])[service]


def up(timeout: float = 900) -> None:
    """Build what changed, start the stack, and return once every service is healthy."""
    compose("up", "-d", "--build", "--wait", timeout=timeout)
