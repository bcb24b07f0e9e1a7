"""The swarm as `grade --swarm` uses it, through the manager's Engine API: whether this engine is
a manager, its nodes, configs, one-task job services and their tasks, and their logs (followed
with `docker service logs`, which de-multiplexes a service's stream for us).

repair_names() is for whoever leaves a swarm: `docker swarm leave --force` drops the embedded DNS
records of every container already on a Compose network (their names no longer resolve, in
running containers and in those made afterwards; published ports keep working). A restart of
each service's container records it again (docs/scale-out.md has the measurements).
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import time
import urllib.parse

from lab_runner import stack
from lab_runner.engine import EngineError
from lab_runner.stack import StackError

SOCKET = "/var/run/docker.sock"  # a node's engine, as its grader task sees it (bind-mounted)
ENDED = {"complete", "failed", "rejected", "orphaned", "shutdown", "remove"}  # a task's last states


def _call(method: str, path: str, body: object = None, timeout: float = 30) -> object:
    try:
        return stack.engine().request(method, path, body, timeout=timeout)
    except EngineError as err:
        raise StackError(str(err)) from err


def _filters(**wanted: list[str]) -> str:
    return urllib.parse.quote(json.dumps(wanted))


def require_manager() -> None:
    """StackError (one line, exit 2) unless this engine is a swarm manager."""
    info = _call("GET", "/info")
    swarm = info.get("Swarm", {}) if isinstance(info, dict) else {}
    if not swarm.get("ControlAvailable"):
        state = swarm.get("LocalNodeState") or "unknown"
        raise StackError(
            f"--swarm: this Docker engine is not a swarm manager (swarm: {state}); "
            "run 'docker swarm init' here, or grade on a manager"
        )


def this_node() -> str:
    info = _call("GET", "/info")
    return info.get("Swarm", {}).get("NodeID", "") if isinstance(info, dict) else ""


def ready_nodes() -> list[str]:
    """The ids of the nodes that can take a task now (ready, active)."""
    nodes = _call("GET", "/nodes") or []
    return [
        n["ID"]
        for n in nodes  # type: ignore[union-attr]
        if n.get("Status", {}).get("State") == "ready" and n.get("Spec", {}).get("Availability") == "active"
    ]


def create_config(name: str, data: bytes, labels: dict[str, str]) -> str:
    made = _call(
        "POST", "/configs/create", {"Name": name, "Labels": labels, "Data": base64.b64encode(data).decode()}
    )
    return made["ID"]  # type: ignore[index]


def create_job(
    name: str,
    image: str,
    args: list[str],
    env: list[str],
    config: tuple[str, str],
    labels: dict[str, str],
    avoid: set[str],
) -> str:
    """A one-task job service: the grader IMAGE on some node (not one of AVOID), holding that node's
    Docker socket, no capability (root in the task reaches the root-owned socket without one),
    the shard's config at /run/shard, never restarted by the swarm (the manager decides what
    runs again: only the entries the task did not send)."""
    config_id, config_name = config
    spec = {
        "Name": name,
        "Labels": labels,
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": image,
                "Args": args,
                "Env": env,
                "Labels": labels,
                "Mounts": [{"Type": "bind", "Source": SOCKET, "Target": SOCKET}],
                "Configs": [
                    {
                        "File": {"Name": "/run/shard", "UID": "0", "GID": "0", "Mode": 0o400},
                        "ConfigID": config_id,
                        "ConfigName": config_name,
                    }
                ],
                "CapabilityDrop": ["ALL"],
                "Privileges": {"NoNewPrivileges": True},
                "Init": True,
            },
            "RestartPolicy": {"Condition": "none"},
            "Placement": {"Constraints": [f"node.id!={node}" for node in sorted(avoid)]},
        },
        "Mode": {"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 1}},
    }
    made = _call("POST", "/services/create", spec)
    return made["ID"]  # type: ignore[index]


def task_of(service: str) -> dict | None:
    """The service's task (its state, node, and error), or None before the swarm made it."""
    tasks = _call("GET", "/tasks?filters=" + _filters(service=[service])) or []
    return max(tasks, key=lambda t: t.get("CreatedAt", ""), default=None)  # type: ignore[arg-type]


def follow_logs(service: str) -> subprocess.Popen[str]:
    """The service's stdout, line by line, as it comes (stop it with .kill())."""
    return subprocess.Popen(
        ["docker", "service", "logs", "--raw", "--follow", service],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        errors="replace",
    )


def remove(kind: str, ids: list[str]) -> None:
    """Remove services or configs (KIND: "services", "configs"), whatever is left of them."""
    for one in ids:
        with contextlib.suppress(StackError):  # gone already
            _call("DELETE", f"/{kind}/{one}")


def labelled(kind: str, label: str) -> list[str]:
    found = _call("GET", f"/{kind}?filters=" + _filters(label=[label])) or []
    return [x["ID"] for x in found]  # type: ignore[union-attr]


def repair_names(wait: float = 120) -> list[str]:
    """Record again, in Docker's embedded DNS, every Compose service's container (after a
    `docker swarm leave`): restart it, and return once each is healthy again (WAIT seconds at
    most). A network disconnect and connect records it too, but its interface comes back as
    eth1 (eth2, ...), not the stack Compose made, and its open connections go with it. Returns
    what it did."""
    done = {}
    found = _call("GET", "/containers/json?filters=" + _filters(label=["com.docker.compose.service"])) or []
    for c in found:  # type: ignore[union-attr]
        if "org.socketlab.sandbox" in c.get("Labels", {}):
            continue  # a run's sandbox, which ends with its workbench: the pool makes new ones
        with contextlib.suppress(StackError):  # one that ended meanwhile
            _call("POST", f"/containers/{c['Id']}/restart?t=10", timeout=60)
            done[c["Id"]] = c["Names"][0].lstrip("/")
    _healthy(list(done), time.monotonic() + wait)
    return list(done.values())


def _healthy(ids: list[str], deadline: float) -> None:
    """Until each of IDS is healthy (or has no health check, or stopped), or DEADLINE: a stack's
    users (another stack's runs, a test beside) find its services answering, not starting (the
    chat server's heartbeat is in a tmpfs a restart empties)."""
    for cid in ids:
        while time.monotonic() < deadline:
            try:
                state = _call("GET", f"/containers/{cid}/json")["State"]  # type: ignore[index]
            except StackError:
                break  # gone
            if not state.get("Running") or (state.get("Health") or {}).get("Status") in (None, "healthy"):
                break
            time.sleep(0.2)


if __name__ == "__main__":  # python -m lab_runner.grade.swarm_engine: after `docker swarm leave`
    for line in repair_names():
        print("restarted:", line)
