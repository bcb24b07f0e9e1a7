"""Two stacks on one machine: each a Compose project of its own, with host ports Docker picked.

The second stack is started here (COMPOSE_PROJECT_NAME, FLASK_PORT=0, CHAT_PORT=0: the
README's way to get free ports without choosing them) and removed afterwards; the first is
the one every other test uses. Both run labs at the same time, and neither sees the other's
lines.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import published
import pytest
from runner import STATE, lab_runner

from lab_runner import stack

SECOND = f"socketlab-second-{os.getpid()}"
LABS = ["lab3", "lab6"]  # a datagram to /dev/log, and a chat client plus a server of its own


def compose(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", "compose", "-f", str(stack.COMPOSE_FILE), *args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="module")
def second_env():
    env = {**os.environ, "COMPOSE_PROJECT_NAME": SECOND, "FLASK_PORT": "0", "CHAT_PORT": "0"}
    up = compose(env, "up", "-d", "--build", "--wait", timeout=900)
    try:
        assert up.returncode == 0, up.stderr[-2000:]
        yield env
    finally:
        compose(env, "down", "-v", "--remove-orphans", timeout=300)


def first_env() -> dict[str, str]:
    return {**os.environ, "COMPOSE_PROJECT_NAME": stack.project()}


def count_in(env: dict[str, str], service: str, path: str, needle: str) -> int:
    done = compose(env, "exec", "-T", service, "grep", "-c", "-aF", "--", needle, path)
    assert done.returncode in (0, 1), done.stderr  # 1: no such line
    return int(done.stdout.strip() or 0)


def test_two_stacks_run_labs_at_once_without_seeing_each_others_lines(second_env):
    runs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "lab_runner", "run", *LABS, "--solution", "--json"],
            env={**env, "LAB_RUNNER_STATE": str(STATE)},
            cwd=stack.ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, env in [("first", first_env()), ("second", second_env)]
    }
    tokens = {}
    for name, proc in runs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name}: {err}{out[-2000:]}"
        tokens[name] = {lab["lab"]: lab["token"] for lab in json.loads(out)["labs"]}
    envs = {"first": first_env(), "second": second_env}
    for mine, other in [("first", "second"), ("second", "first")]:
        syslog, chat = tokens[mine]["lab3"], tokens[mine]["lab6"]
        assert count_in(envs[mine], "rsyslog", "/var/log/syslog", syslog) >= 1
        assert count_in(envs[other], "rsyslog", "/var/log/syslog", syslog) == 0
        assert count_in(envs[mine], "chat", "/var/log/chat/chat.log", chat) >= 1
        assert count_in(envs[other], "chat", "/var/log/chat/chat.log", chat) == 0


def test_ports_picked_by_docker_are_found_and_reach_their_own_stack(second_env, token):
    shown = lab_runner("ports", env=second_env)
    assert shown.returncode == 0, shown.stderr
    ports = dict(line.split()[:2] for line in shown.stdout.splitlines())
    flask_port = int(ports["flask"].rsplit(":", 1)[1])
    assert flask_port not in (0, 5000, published.port("flask"))
    with socket.create_connection(("127.0.0.1", flask_port), timeout=10) as s:
        s.sendall(f"GET /?stack={token} HTTP/1.0\r\n\r\n".encode())
        while s.recv(65536):
            pass
    assert count_in(second_env, "flask", "/var/log/flask/flask.log", f"/?stack={token}") == 1
    assert count_in(first_env(), "flask", "/var/log/flask/flask.log", f"/?stack={token}") == 0


def test_compose_down_finds_no_sandbox_on_its_network(second_env):
    # Last in this module: the second stack goes down here, with spares waiting on its network
    # (lab_runner keeps a few started ahead); the workbench's lease ends them on its way down.
    # The runs above left some, but the swarm test's teardown on another worker restarts every
    # Compose container, and a restarted workbench ends its spares: so two are made here, by the
    # command a run's CLI leaves behind to make them (sandbox.refill_later).
    made = subprocess.run(
        [sys.executable, "-c", "from lab_runner import sandbox, stack; "
         "sandbox.Pool().refill(stack.container_id('workbench'), 2, wait=True)"],
        env=second_env, cwd=stack.ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    spares = stack.engine().containers({"org.socketlab.sandbox": SECOND})
    assert spares, "no spare sandbox was waiting: nothing to show"
    down = compose(second_env, "down", "-v", timeout=300)
    assert down.returncode == 0 and "still in use" not in down.stderr, down.stderr
    assert stack.engine().containers({"org.socketlab.sandbox": SECOND}) == []
    networks = subprocess.run(
        ["docker", "network", "ls", "--format", "{{.Name}}"], capture_output=True, text=True
    )
    assert f"{SECOND}_default" not in networks.stdout.split()
