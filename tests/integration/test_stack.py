"""The four services come up healthy, wired as compose.yaml says."""

import json
import subprocess

import published
import pytest

from lab_runner import stack
from lab_runner.evidence import wait_lines

SERVICES = ["flask", "chat", "rsyslog", "workbench"]


def test_compose_defines_the_four_services():
    assert sorted(published.services()) == sorted(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_running_and_healthy(service):
    info = stack.status()[service]
    assert (info["state"], info["health"]) == ("running", "healthy")


@pytest.mark.parametrize(("service", "port"), [("flask", 5000), ("chat", 12345)])
def test_published_ports_are_bound_to_loopback_only(service, port):
    cid = stack.container_id(service)
    bindings = json.loads(
        subprocess.run(
            ["docker", "inspect", "-f", "{{json .HostConfig.PortBindings}}", cid],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert [b["HostIp"] for b in bindings[f"{port}/tcp"]] == ["127.0.0.1"]


def test_workbench_dev_log_is_the_shared_rsyslog_socket(workbench):
    dev_log = workbench.file("/dev/log")
    assert dev_log.is_symlink and dev_log.linked_to == "/run/syslog/log"
    assert workbench.file("/run/syslog/log").is_socket


@pytest.mark.parametrize("service", ["flask", "chat"])
def test_flask_and_chat_reach_the_shared_socket_too(host_of, rsyslog, service, token):
    # They run as non-root users, which cannot add /dev/log to Docker's /dev; the socket is
    # at its real path, /run/syslog/log, mounted read-only (connect() needs no more).
    host_of(service).check_output(f"logger -u /run/syslog/log -t from-{service} {token}")
    assert wait_lines(rsyslog, f"from-{service}: {token}")


def test_workbench_has_the_learners_tools(workbench):
    for tool in ("python3", "ss", "ps", "strace", "tcpdump"):
        assert workbench.exists(tool), tool
    assert workbench.file("/labs").is_directory
