"""Least privilege, read from `docker inspect` of the running stack (the CIS Docker Benchmark's
runtime checks, section 5, as docker-bench-security runs them, plus 4.1: a non-root user)."""

import json
import re
import subprocess

import pytest
import yaml

from lab_runner import stack

SERVICES = ["flask", "chat", "rsyslog", "workbench"]
# What each service may add back after cap_drop: [ALL]; compose.yaml gives each one's reason.
ALLOWED_CAPS = {
    "flask": set(), "chat": set(), "rsyslog": set(),
    "workbench": {"NET_RAW", "SETUID", "SETGID", "SYS_PTRACE"},
}  # fmt: skip
MAIN = {"flask": "serve.py", "chat": "server.py", "rsyslog": "rsyslogd", "workbench": "lab-run --keep"}
ROOT_ALLOWED = {"workbench"}  # tcpdump needs root's raw socket; all its other capabilities are dropped


@pytest.fixture(scope="module")
def inspect() -> dict[str, dict]:
    ids = stack.require_healthy(SERVICES)
    out = subprocess.run(
        ["docker", "inspect", *ids.values()], capture_output=True, text=True, check=True
    ).stdout
    by_id = {c["Id"]: c for c in json.loads(out)}
    return {service: by_id[next(i for i in by_id if i.startswith(cid))] for service, cid in ids.items()}


@pytest.mark.parametrize("service", SERVICES)
def test_not_privileged_and_no_host_namespaces(inspect, service):
    hc = inspect[service]["HostConfig"]
    assert hc["Privileged"] is False
    for mode in ("NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode"):
        assert hc.get(mode) != "host", mode
    assert not hc.get("Devices")
    assert "seccomp=unconfined" not in (hc.get("SecurityOpt") or [])


@pytest.mark.parametrize("service", SERVICES)
def test_all_capabilities_dropped_and_only_the_needed_added_back(inspect, service):
    hc = inspect[service]["HostConfig"]
    assert [c.upper().removeprefix("CAP_") for c in hc["CapDrop"]] == ["ALL"]
    added = {c.upper().removeprefix("CAP_") for c in hc.get("CapAdd") or []}
    assert added == ALLOWED_CAPS[service]


def test_every_added_capability_has_its_reason_in_compose_yaml():
    text = stack.COMPOSE_FILE.read_text()
    services = yaml.safe_load(text)["services"]
    for name, service in services.items():
        for cap in service.get("cap_add", []):
            line = next(line for line in text.splitlines() if re.match(rf"\s*- {cap}\b", line))
            assert "#" in line and len(line.split("#", 1)[1].strip()) > 10, f"{name}: {cap} has no reason"


@pytest.mark.parametrize("service", SERVICES)
def test_no_new_privileges(inspect, service):
    assert "no-new-privileges:true" in inspect[service]["HostConfig"]["SecurityOpt"]


def real_uids(host, program: str) -> set[str]:
    """The real uids of the container's processes running PROGRAM (read from /proc, not asked of id)."""
    out = host.check_output(
        "for d in /proc/[0-9]*; do [ $d = /proc/$$ ] && continue; "
        "tr '\\0' ' ' < $d/cmdline 2>/dev/null | grep -qF -- %s "
        "&& awk '/^Uid:/ {print $2}' $d/status; done; true",
        program,
    )
    return set(out.split())


@pytest.mark.parametrize("service", SERVICES)
def test_runs_as_a_numeric_non_root_user(inspect, service, host_of):
    user = inspect[service]["Config"]["User"]
    uids = real_uids(host_of(service), MAIN[service])
    assert uids, f"no process runs {MAIN[service]} in {service}"
    if service in ROOT_ALLOWED:  # by design (see compose.yaml); its capabilities are checked above
        assert user in ("", "0", "root") and uids == {"0"}
        return
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, user
    # And the main process really runs as that user (its real uid in /proc), not only configured so.
    assert uids == {uid}, f"{MAIN[service]} runs as uid {uids} in {service}, configured {uid}"


@pytest.mark.parametrize("service", SERVICES)
def test_read_only_root_filesystem(inspect, service, host_of):
    assert inspect[service]["HostConfig"]["ReadonlyRootfs"] is True
    assert host_of(service).run("touch /should-not-be-writable").rc != 0


@pytest.mark.parametrize("service", SERVICES)
def test_resource_limits(inspect, service):
    hc = inspect[service]["HostConfig"]
    assert hc["PidsLimit"] and hc["PidsLimit"] > 0
    assert hc["Memory"] > 0
    assert hc["NanoCpus"] > 0 and hc["CpuShares"] not in (0, 1024)


@pytest.mark.parametrize("service", SERVICES)
def test_restart_policy_and_health_check(inspect, service):
    policy = inspect[service]["HostConfig"]["RestartPolicy"]
    assert (policy["Name"], policy["MaximumRetryCount"]) == ("on-failure", 5)
    assert inspect[service]["Config"]["Healthcheck"]["Test"]
    assert inspect[service]["State"]["Health"]["Status"] == "healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_ports_on_loopback_only_and_no_docker_socket(inspect, service):
    for bindings in (inspect[service]["HostConfig"]["PortBindings"] or {}).values():
        assert all(b["HostIp"] == "127.0.0.1" for b in bindings)
    for mount in inspect[service]["Mounts"]:
        assert "docker.sock" not in mount.get("Source", "") + mount.get("Destination", "")
        if mount["Type"] == "bind":
            assert mount["RW"] is False, f"{mount['Source']} is mounted writable"
