"""The grader image of `grade --swarm` (images/grader/Dockerfile), built by grade itself when it
is missing or older than this checkout: a content hash of what goes in is the image's label.

The build context is assembled here: lab_runner/, labs/, compose.yaml and images/ as src/, and
this machine's docker CLI and compose plugin as bin/ (Docker Hub may be out of reach; the task
then drives its node's engine with the same tools as a local grade). On a swarm of several
nodes, SOCKETLAB_IMAGES names a registry (registry:5000/socketlab) and the image is pushed there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lab_runner import stack
from lab_runner.paths import ROOT
from lab_runner.stack import StackError

SOURCES = ("lab_runner", "labs", "compose.yaml", "images")
PLUGINS = (
    Path.home() / ".docker/cli-plugins",
    Path("/usr/local/lib/docker/cli-plugins"),
    Path("/usr/libexec/docker/cli-plugins"),
    Path("/usr/lib/docker/cli-plugins"),
)
LABEL = "org.socketlab.grader.source"
# the versions the tests run with; watchdog is only `watch`'s, which a grader never runs
WHEELS = ("pytest==9.2.0", "pytest-testinfra==10.2.2")


def name() -> str:
    return f"{os.environ.get('SOCKETLAB_IMAGES') or 'socketlab'}-grader:latest"


def _files() -> list[tuple[str, Path]]:
    """(path in the context, file here), sorted: the sources, then the two binaries."""
    found = []
    for top in SOURCES:
        base = ROOT / top
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for p in paths:
            if "__pycache__" in p.parts or p.suffix == ".pyc":
                continue
            found.append((f"src/{p.relative_to(ROOT)}", p))
    docker = shutil.which("docker")
    plugin = next((d / "docker-compose" for d in PLUGINS if (d / "docker-compose").is_file()), None)
    if docker is None or plugin is None:
        raise StackError("--swarm: the docker CLI and its compose plugin are needed here: run ./bootstrap.sh")
    return [*found, ("bin/docker", Path(docker).resolve()), ("bin/docker-compose", plugin.resolve())]


def _digest(files: list[tuple[str, Path]]) -> str:
    h = hashlib.sha256()
    for arc, path in files:
        st = path.stat()
        # the binaries by size and time (100 MB to hash each time); the sources by content
        data = f"{st.st_size}:{st.st_mtime_ns}".encode() if arc.startswith("bin/") else path.read_bytes()
        h.update(arc.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:16]


def _context(files: list[tuple[str, Path]], into: Path) -> None:
    """The build context in INTO (a folder: BuildKit fails on a context this big from stdin),
    with lab_runner's dependencies as wheels, fetched by this machine's pip (its index and
    certificates; a build container may reach neither)."""
    shutil.copy2(ROOT / "images/grader/Dockerfile", into / "Dockerfile")
    fetch = [sys.executable, "-m", "pip", "download", "-q", "-d", str(into / "wheels"), *WHEELS]
    got = subprocess.run(fetch, capture_output=True, text=True, timeout=600)
    if got.returncode != 0:
        raise StackError(f"--swarm: pip download {' '.join(WHEELS)} failed: {got.stderr.strip()[-200:]}")
    for arc, path in files:
        (into / arc).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, into / arc)


def ensure(say=print) -> str:
    """The grader image's name, built (and pushed, to a registry) unless it is up to date."""
    files = _files()
    base = f"{os.environ.get('SOCKETLAB_IMAGES') or 'socketlab'}-workbench:latest"
    try:
        base_id = stack.engine().request("GET", f"/images/{base}/json")["Id"]  # type: ignore[index]
    except Exception as err:  # noqa: BLE001 - no such image
        raise StackError(
            f"--swarm: no image {base} here to build the grader on: run '{stack.UP_COMMAND}'"
        ) from err
    digest, image = _digest(files) + base_id[7:19], name()
    old = None
    try:
        found = stack.engine().request("GET", f"/images/{image}/json")
        if (found.get("Config", {}).get("Labels") or {}).get(LABEL) == digest:  # type: ignore[union-attr]
            return image
        old = found["Id"]  # type: ignore[index]
    except Exception:  # noqa: BLE001 - no such image: build it
        pass
    say(f"grade: building the grader image {image} (once per change of lab_runner or labs)")
    with tempfile.TemporaryDirectory(prefix="grader-context-") as into:
        _context(files, Path(into))
        base = f"BASE_IMAGE={os.environ.get('SOCKETLAB_IMAGES') or 'socketlab'}-workbench:latest"
        build = [
            "docker",
            "build",
            "-q",
            "-t",
            image,
            "--build-arg",
            base,
            "--label",
            f"{LABEL}={digest}",
            into,
        ]
        done = subprocess.run(build, capture_output=True, timeout=1200)
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip() or "no output").splitlines()[-1]
        raise StackError(f"--swarm: building {image} failed: {last}")
    if old:  # the grader it replaces (390 MB a build): gone, unless a task still uses it
        with contextlib.suppress(Exception):
            stack.engine().request("DELETE", f"/images/{old}")
    if "/" in image:  # a registry's name: the other nodes pull it from there
        pushed = subprocess.run(["docker", "push", "-q", image], capture_output=True, text=True, timeout=1200)
        if pushed.returncode != 0:
            raise StackError(f"--swarm: pushing {image} failed: {pushed.stderr.strip().splitlines()[-1:]}")
    return image
