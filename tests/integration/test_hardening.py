"""Least privilege, read from `docker inspect` of the running stack (the CIS Docker Benchmark's
runtime checks, section 5, as docker-bench-security runs them, plus 4.1: a non-root user)."""

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from lab_runner import sandbox, stack
from lab_runner.hosts import service_host
from lab_runner.running import LIMITS

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


# --- each run's sandbox (lab_runner/sandbox.py): the same rules, read from a real one -------------


@pytest.fixture(scope="module")
def a_sandbox():
    """A sandbox claimed as a run claims one, inspected, then given an empty run so that it ends."""
    box = sandbox.Pool().claim(stack.container_id("workbench"))
    info = stack.engine().request("GET", f"/containers/{box.container}/json")
    yield box, info
    empty = {
        "name": "x.py",
        "timeout": 5,
        "size": 0,
        "sha256": hashlib.sha256(b"").hexdigest(),
        "limits": LIMITS,
    }
    box.stream.write(json.dumps(empty).encode() + b"\ndone\n")
    box.stream.close()


def test_a_sandbox_is_not_privileged_and_shares_no_host_namespace(a_sandbox):
    hc = a_sandbox[1]["HostConfig"]
    assert hc["Privileged"] is False and not hc.get("Devices")
    for mode in ("NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode"):
        assert hc.get(mode) != "host", mode
    assert hc["IpcMode"] == "private"  # SysV and POSIX IPC die with it
    assert "seccomp=unconfined" not in (hc.get("SecurityOpt") or [])
    assert "no-new-privileges:true" in hc["SecurityOpt"]


def test_a_sandbox_drops_every_capability_but_those_with_a_reason(a_sandbox):
    hc = a_sandbox[1]["HostConfig"]
    assert [c.upper().removeprefix("CAP_") for c in hc["CapDrop"]] == ["ALL"]
    added = {c.upper().removeprefix("CAP_") for c in hc.get("CapAdd") or []}
    assert added == {"SYS_PTRACE", "SETUID", "SETGID", "DAC_READ_SEARCH", "NET_RAW", "NET_ADMIN"}
    assert "SYS_ADMIN" not in added
    text = Path(sandbox.__file__).read_text()
    for cap in added:  # each with its reason beside it, as compose.yaml's are
        line = next(line for line in text.splitlines() if f'"{cap}",' in line)
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 10, cap


def test_a_sandbox_has_a_read_only_root_limits_of_its_own_and_no_labs_folder(a_sandbox):
    box, info = a_sandbox
    hc = info["HostConfig"]
    assert hc["ReadonlyRootfs"] is True
    assert 0 < hc["PidsLimit"] <= 64 and 0 < hc["Memory"] <= 256 << 20 and hc["MemorySwap"] == hc["Memory"]
    assert hc["NanoCpus"] > 0 and hc["CpuShares"] not in (0, 1024)
    assert hc["AutoRemove"] is True
    assert set(hc["Tmpfs"]) == {"/tmp", "/run/lab"} and "size=" in hc["Tmpfs"]["/tmp"]
    for mount in info["Mounts"]:  # the syslog socket and the lease, read-only; no bind mount at all
        assert mount["Type"] == "volume" and mount["RW"] is False, mount
        assert "docker.sock" not in mount.get("Source", "") + mount["Destination"]
    host = service_host("sandbox", box.container)
    assert host.run("touch /should-not-be-writable").rc != 0
    found = host.run("find / -xdev \\( -name solution.py -o -name lab.toml -o -name checks \\) -print")
    assert found.stdout == "", found.stdout  # no solution, no checks: nothing to copy


def test_the_exercise_runs_as_a_uid_of_its_sandboxs_own_with_no_capabilities(a_sandbox):
    host = service_host("sandbox", a_sandbox[0].container)
    out = host.check_output(
        "for d in /proc/[0-9]*; do awk '/^Uid:/ {u=$2} /^CapEff:/ {print u, $2}' $d/status 2>/dev/null; done"
    )
    rows = [line.split() for line in out.splitlines()]
    theirs = [(uid, caps) for uid, caps in rows if int(uid) >= 1_000_000]
    # The interpreter started ahead, waiting for its source: a uid of its own, no capabilities.
    assert theirs and all(caps == "0000000000000000" for _, caps in theirs), rows
    # Besides root (lab-run, strace) only tcpdump, the run's capture, which drops to its own user.
    capture = host.check_output("id -u tcpdump").strip()
    assert len({uid for uid, _ in theirs}) == 1, rows
    assert all(uid in ("0", capture, theirs[0][0]) for uid, _ in rows), rows
