"""One sandbox per exercise run: a container of its own, made from the workbench image, used once.

    box = Pool().claim(workbench_id)    # a fresh sandbox, this run's alone (a session holds one Pool)
    box.container, box.stream              # where it runs; lab-run's stdin and output in it

Why a container per run (docs/sandbox.md has the measurements): it gives each run its own
filesystem view (no labs/ folder, no solution, no other learner's file), /tmp, /dev/shm, IPC and
network namespace (lab 6's port 12345 is its own), and pids, memory and CPU limits counted for
it alone, and Docker removes all of it when the run ends, whatever the exercise did to the
permissions of what it left. No container gains a capability for it that the workbench lacks,
but DAC_READ_SEARCH (strace -y, see CAPS); NET_RAW, tcpdump's, the workbench has too.

Starting a container costs ~0.2 s, so a few spares are kept started ahead: in each, lab-run
has already started the exercise's interpreter under strace, and waits for one run. A run
claims a spare by renaming it (of runners renaming one name, the engine lets one succeed),
attaches to it, and has lab-run echo its nonce; new spares are started in the background.
A spare ends by itself when unclaimed for IDLE seconds, and when the workbench stops (the
lease in the sandbox-lease volume), so `docker compose down` finds nothing of ours on its
network.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from lab_runner import stack, sweep
from lab_runner.engine import STDERR, EngineError, Exec

LABEL = "org.socketlab.sandbox"  # the compose project a sandbox belongs to
SPEC_LABEL = "org.socketlab.sandbox.spec"  # a digest of how it was made (image, limits, ...)
IDLE = 600  # seconds a spare waits for a run before it ends by itself
LEASE_LOCK = "/run/lease/sandboxes"  # each sandbox holds a shared lock on it (lab-run's SPARES)
SPARES = int(os.environ.get("LAB_SANDBOX_SPARES", "2"))  # started ahead, per compose project
CLAIM_TIMEOUT = 5.0  # seconds for lab-run to answer a claim
MiB = 1024 * 1024

# Each run's own limits: a run can use this much, and no other run or stack shares it.
LIMITS = {
    "PidsLimit": 64,  # processes and threads: a fork bomb stops here (lab 6's servers need ~10)
    "Memory": 256 * MiB,
    "MemorySwap": 256 * MiB,  # no swap on top
    "NanoCpus": 1_000_000_000,  # one core
    "CpuShares": 512,
    "ShmSize": 16 * MiB,  # /dev/shm
    "Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 1024}],
}
SCRATCH = {"/tmp": "size=16m,mode=1777", "/run/lab": "size=1m,mode=0700"}  # the only writable places
# Root in the sandbox runs lab-run and strace; everything else of root is dropped.
CAPS = [
    "SYS_PTRACE",  # strace traces the exercise, a process of another user (who cannot forge it)
    "SETUID",  # strace -u lab: the exercise runs as that user, with no capabilities ...
    "SETGID",  # ... and its group
    "DAC_READ_SEARCH",  # strace -y reads the exercise's /proc/PID/fd to tell sockets
    "NET_RAW",  # tcpdump captures the run's packets (its own namespace's), then drops to its user
    "NET_ADMIN",  # lab-run's firewall in the sandbox's own network namespace: no other run reaches it
]


class SandboxError(stack.StackError):
    """No sandbox could be made or claimed (the environment's fault: exit 2)."""


@dataclass
class Sandbox:
    container: str
    """Its container id: checks run their commands in it as in the workbench."""
    stream: Exec
    """lab-run in it, attached and claimed: write the run to it, read its frames."""
    first: bytes
    """What lab-run said on stderr right after the claim (the start of more tagged lines)."""


def template(workbench: str) -> dict:
    """The create request of a sandbox: the workbench's image, network and volumes, and the limits."""
    info = stack.engine().request("GET", f"/containers/{workbench}/json")
    assert isinstance(info, dict)
    network = next(iter(info["NetworkSettings"]["Networks"]))
    volumes = {m["Destination"]: m["Name"] for m in info["Mounts"] if m.get("Type") == "volume"}
    if "/run/lease" not in volumes:
        raise SandboxError(f"the workbench has no sandbox-lease volume: run '{stack.UP_COMMAND}'")
    spec = {
        "Image": info["Image"],
        # Its shared lock on the lease is taken before lab-run starts (a shell and flock take
        # ~2 ms, Python ~0.1 s and more under load), and lab-run inherits it: a workbench that
        # stops just after this sandbox started waits for it too (lab-run's keep).
        "Cmd": ["sh", "-c", f"exec 9<{LEASE_LOCK} && flock -s 9 && exec lab-run --spare {IDLE}"],
        "OpenStdin": True,  # lab_runner attaches to lab-run's stdin to claim it and send the run
        "Hostname": "workbench",  # the exercise runs "in the workbench": in a copy of its own
        "User": "0",
        "WorkingDir": "/",  # the checks' commands run here: never in a folder the exercise can write
        "HostConfig": {
            **LIMITS,
            "AutoRemove": True,  # once lab-run ends, nothing of the sandbox is left
            "Init": True,
            "NetworkMode": network,
            "ReadonlyRootfs": True,
            "CapDrop": ["ALL"],
            "CapAdd": CAPS,
            "SecurityOpt": ["no-new-privileges:true"],
            "IpcMode": "private",
            "CgroupnsMode": "private",
            "Tmpfs": SCRATCH,
            "Mounts": [
                {"Type": "volume", "Source": volumes[path], "Target": path, "ReadOnly": True}
                for path in ("/run/syslog", "/run/lease")
            ],
        },
    }
    # A spare made otherwise (another image, older limits) is never claimed: the digest tells.
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    return {**spec, "Labels": {LABEL: stack.project(), SPEC_LABEL: digest}}


class Pool:
    """The spares of one compose project, and the making of new ones (one Pool per process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.templates: dict[str, dict] = {}
        self.starting = 0
        self.threads: list[threading.Thread] = []
        self.used: set[str] = set()  # the workbenches whose spares this process claimed
        self.stays = False  # a process that runs on (watch, grade): it refills as it goes
        self.wanted = SPARES  # spares to keep ready (grade: one per run side by side)

    def _template(self, workbench: str) -> dict:
        with self.lock:
            if workbench not in self.templates:
                self.templates[workbench] = template(workbench)
            return self.templates[workbench]

    @staticmethod
    def _name(kind: str) -> str:
        return f"{stack.project()}-sandbox-{kind}-{uuid.uuid4().hex[:10]}"

    def _start(self, workbench: str, name: str) -> str:
        engine = stack.engine()
        spec = self._template(workbench)
        cid = engine.request("POST", "/containers/create?name=" + name, spec)["Id"]  # type: ignore[index]
        try:
            engine.request("POST", f"/containers/{cid}/start")
        except EngineError:
            engine.request("DELETE", f"/containers/{cid}?force=1")
            raise
        return cid

    def spares(self, workbench: str) -> list[str]:
        """Names of running spares made as this process would make them (same image and limits)."""
        digest = self._template(workbench)["Labels"][SPEC_LABEL]
        filters = json.dumps({"label": [f"{LABEL}={stack.project()}", f"{SPEC_LABEL}={digest}"],
                              "name": ["-sandbox-spare-"], "status": ["running"]})  # fmt: skip
        found = stack.engine().request("GET", "/containers/json?filters=" + urllib.parse.quote(filters))
        names = [c["Names"][0].lstrip("/") for c in found or []]  # type: ignore[union-attr]
        random.shuffle(names)  # runners side by side try different ones first
        return names

    def claim(self, workbench: str, timeout: float = 30.0) -> Sandbox:
        """A sandbox of this run's own, claimed (SandboxError if none can be had). Its new name
        carries the time by which it must be gone (TIMEOUT + sweep.OVERTIME): sweep removes it then,
        from outside, whatever lab-run in it does, and whether or not this process is still there."""
        until = int(time.time() + timeout + sweep.OVERTIME)
        try:
            for name in self.spares(workbench)[:8]:
                mine = self._name(f"run-{until}")
                try:  # the claim: of runners renaming one spare, the engine lets one succeed
                    stack.engine().request("POST", f"/containers/{name}/rename?name={mine}")
                except EngineError:
                    continue  # another runner took it, or it ended (idle, or the workbench stopped)
                if box := self._attach(mine, timeout):
                    self.used.add(workbench)
                    return box
            cid = self._start(workbench, self._name(f"run-{until}"))  # none free: a cold start
            if box := self._attach(cid, timeout):
                self.used.add(workbench)
                return box
        except EngineError as err:
            raise SandboxError(f"cannot make a sandbox for the exercise: {err}") from err
        raise SandboxError("the new sandbox did not answer its claim: try again")

    @staticmethod
    def _attach(container: str, timeout: float) -> Sandbox | None:
        """Attach to CONTAINER's lab-run and claim it: the Sandbox once lab-run echoes our nonce."""
        nonce = uuid.uuid4().hex.encode()
        try:
            stream = stack.engine().attach(container, timeout=timeout)
        except EngineError:
            return None
        said = b""
        try:
            stream.settimeout(CLAIM_TIMEOUT)  # lab-run answers at once; one that does not is no use
            stream.write(b"claim " + nonce + b"\n")
            for kind, data in stream.frames():
                if kind != STDERR:
                    continue
                said += data
                while b"\n" in said:
                    line, _, said = said.partition(b"\n")
                    if line.startswith(b"C claimed "):
                        if line.split()[2] != nonce:
                            stream.close()
                            return None  # another runner's
                        info = stack.engine().request("GET", f"/containers/{container}/json")
                        stream.settimeout(timeout)
                        return Sandbox(info["Id"], stream, said)  # type: ignore[index]
        except (OSError, EngineError):  # TimeoutError included
            pass
        stream.close()
        return None

    def refill(self, workbench: str, count: int = SPARES, wait: bool = False) -> None:
        """Start spares until COUNT are ready (those being started count too): in the background,
        or before returning if WAIT."""

        def start_one() -> None:
            try:
                self._start(workbench, self._name("spare"))
            except (EngineError, stack.StackError):
                pass  # the next run makes its own: a cold start, not a failure
            finally:
                with self.lock:
                    self.starting -= 1

        try:
            ready = len(self.spares(workbench))
            sweep.sweep(LABEL)
        except (EngineError, stack.StackError):
            return
        with self.lock:
            todo = max(0, count - ready - self.starting)
            self.starting += todo
        for _ in range(todo):
            self._background(start_one)
        if wait:
            self.wait()

    def _background(self, work: Callable[[], None]) -> None:
        # A daemon: a CLI run does not wait for it at exit. The engine finishes a start it was
        # asked for even when the asker has gone.
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        with self.lock:
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]

    def wait(self) -> None:
        """Until the spares being started are started."""
        for thread in list(self.threads):
            thread.join()

    def keep(self, parallel: int) -> None:
        """This process runs on (grade) and runs PARALLEL at once: it refills as it goes."""
        self.stays, self.wanted = True, parallel

    def after_run(self, workbench: str) -> None:
        """A run is over: a process that stays refills now; a CLI run leaves it to refill_later()."""
        if self.stays:
            self.refill(workbench, self.wanted)

    def refill_later(self) -> None:
        """Spares for the next runs, made by a process of their own that outlives this one: a
        learner's `lab3` then ends without waiting ~0.2 s for a container to start."""
        for workbench in self.used:
            subprocess.Popen(
                [sys.executable, "-m", "lab_runner.sandbox", "refill", workbench, str(SPARES)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        self.used.clear()


if __name__ == "__main__":  # python -m lab_runner.sandbox refill WORKBENCH COUNT
    Pool().refill(sys.argv[2], int(sys.argv[3]), wait=True)
