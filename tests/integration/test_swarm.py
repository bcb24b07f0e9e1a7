"""`grade --swarm` on a real single-node swarm: a small class graded on the swarm (its grader task
killed mid-grading, as a lost node would lose it) and locally, grade for grade; the engine left
as found (the swarm left if the test made it, its services, configs and image removed), and the
Compose stack's names still resolving after (a `docker swarm leave` drops them: see
lab_runner/grade/swarm_engine.py)."""

from __future__ import annotations

import concurrent.futures
import csv
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from make_class import make
from runner import lab_runner

from lab_runner import labs, stack
from lab_runner.grade import swarm_engine, swarm_image, swarm_wire
from lab_runner.paths import ROOT

LABS = "lab1,lab3,lab6"


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=120)


def is_manager() -> bool:
    return docker("info", "--format", "{{.Swarm.ControlAvailable}}").stdout.strip() == "true"


def address() -> str:
    """This host's address on its default route (what `swarm init` advertises)."""
    route = subprocess.run(["ip", "-4", "route", "get", "1.1.1.1"], capture_output=True, text=True).stdout
    return route.split(" src ")[1].split()[0]


def grade(klass: Path, out: Path, *more: str) -> subprocess.CompletedProcess:
    # the labs' own time limits: a shorter one makes lab 6's solution fail on a loaded machine
    return lab_runner("grade", str(klass), "--out", str(out), "--labs", LABS, *more)


def rows(out: Path) -> dict[tuple[str, str], dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {(r["learner"], r["lab"]): r for r in csv.DictReader(f)}


class Killer(threading.Thread):
    """Follows the first grader task's output, and kills its container once it has sent an entry
    and before it has sent them all, as if its node were lost. Keeps what that task sent."""

    def __init__(self, entries: int) -> None:
        super().__init__(daemon=True)
        self.entries, self.sent, self.killed = entries, {}, False
        self.seen: dict = {}  # the grader task's container, as docker inspect saw it
        self.caps = ""  # its main process's effective capabilities

    def run(self) -> None:
        end = time.monotonic() + 120
        service = ""
        while not service and time.monotonic() < end:
            names = ["--filter", "label=org.socketlab.grade", "--format", "{{.Name}}"]
            found = docker("service", "ls", *names).stdout.split()
            service = found[0] if found else ""
            time.sleep(0.2)
        logs = subprocess.Popen(
            ["docker", "service", "logs", "--raw", "--follow", service],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        frames = swarm_wire.Frames()
        for line in logs.stdout:
            if got := frames.feed(line):
                self.sent[got[0]] = got[1]
            if not self.killed and 0 < len(self.sent) < self.entries:
                ids = docker("ps", "-q", "--filter", f"label=com.docker.swarm.service.name={service}").stdout
                for container in ids.split():
                    self.seen = json.loads(docker("inspect", container).stdout)[0]
                    status = docker("exec", container, "cat", "/proc/1/status", check=False).stdout
                    self.caps = next((ln for ln in status.splitlines() if ln.startswith("CapEff")), "")
                    self.killed = docker("kill", container, check=False).returncode == 0 or self.killed
            if self.killed and time.monotonic() > end:
                break
        logs.kill()


@pytest.fixture(scope="module")
def swarm(tmp_path_factory):
    """A swarm manager for the module (made if there is none), and the engine as found after."""
    made, refused = False, None
    if not is_manager():
        out = tmp_path_factory.mktemp("refused")
        refused = grade(ROOT / "labs", out, "--swarm")  # not a manager: one line, exit 2
        docker("swarm", "init", "--advertise-addr", address())
        made = True
    had_image = docker("image", "inspect", swarm_image.name(), check=False).returncode == 0
    yield refused
    for kind in ("service", "config"):
        left = docker(kind, "ls", "-q", "--filter", "label=org.socketlab.grade").stdout.split()
        if left:
            docker(kind, "rm", *left, check=False)
    if not had_image:
        docker("image", "rm", swarm_image.name(), check=False)
    if made:
        docker("swarm", "leave", "--force")
        swarm_engine.repair_names()  # every Compose stack's names, not only ours
        stack.up()
    # the stack's names resolve, in the workbench and in a new run's sandbox (lab 1 reaches flask)
    workbench = stack.container_id("workbench")
    assert docker("exec", workbench, "getent", "hosts", "flask", check=False).returncode == 0
    lab = next(lab for lab in labs.discover() if lab.key == "lab1")
    done = lab_runner("lab1", "--exercise", str(lab.solution_path))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def graded(swarm, tmp_path_factory):
    """The class graded locally and, side by side (each on a stack of its own: they share only
    the CPU, which slows a run and never fails one within the labs' own time limits), on the
    swarm with its task killed mid-grading."""
    root = tmp_path_factory.mktemp("swarm")
    make(root / "class", solved=1, starters=1, empty=1, hostile=1, seed=7)
    folders = {lab.folder.name for lab in labs.discover() if lab.key in LABS.split(",")}
    todo = sum(1 for f in (root / "class").glob("*/*/exercise.py") if f.parent.name in folders)
    killer = Killer(todo)
    killer.start()
    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as both:
        swarm_run = both.submit(grade, root / "class", root / "swarm", "--swarm")
        local_run = both.submit(grade, root / "class", root / "local")
        on_swarm, local = swarm_run.result(), local_run.result()
    wall = time.monotonic() - began
    print(f"swarm: {wall:.1f} s wall, its first task killed after {len(killer.sent)} of {todo} entries")
    killer.join(10)
    return root, local, on_swarm, killer


def test_not_a_swarm_manager_is_one_line_and_exit_2(swarm):
    if swarm is None:
        pytest.skip("this engine was a swarm manager already: the refusal is tried where it is not (CI)")
    assert swarm.returncode == 2, swarm.stdout + swarm.stderr
    assert swarm.stderr.strip().count("\n") == 0 and "not a swarm manager" in swarm.stderr
    assert "Traceback" not in swarm.stderr


def test_swarm_grades_match_local_entry_for_entry(graded):
    root, local, on_swarm, _ = graded
    assert local.returncode == 0, local.stdout + local.stderr
    assert on_swarm.returncode == 0, on_swarm.stdout + on_swarm.stderr
    mine, theirs = rows(root / "local"), rows(root / "swarm")
    assert mine.keys() == theirs.keys()
    for key, row in mine.items():
        got = theirs[key]
        same = ("status", "passed", "steps_passed", "steps_total", "failing_step")
        assert {k: got[k] for k in same} == {k: row[k] for k in same}, key
    assert {r["status"] for r in mine.values()} >= {"passed", "failed", "not attempted"}
    for name in ("grades.json", "junit.xml"):
        assert (root / "swarm" / name).is_file()
    document = json.loads((root / "swarm" / "grades.json").read_text(encoding="utf-8"))
    for result in document["results"]:
        if result["page"]:
            assert (root / "swarm" / result["page"]).is_file(), result["page"]
    assert any(r["page"] for r in document["results"])


def test_a_task_lost_mid_grading_costs_only_its_unfinished_runs(graded):
    root, _, on_swarm, killer = graded
    assert killer.killed, "the grader task was not killed mid-grading"
    document = json.loads((root / "swarm" / "grades.json").read_text(encoding="utf-8"))
    by_key = {(r["learner"], r["lab"]): r for r in document["results"]}
    graded_rows = [r for r in document["results"] if r["status"] != "not attempted"]
    assert len(by_key) == len(document["results"])  # no row counted twice
    finished = {(s["learner"], s["lab"]): s for s in killer.sent.values()}
    assert 0 < len(finished) < len(graded_rows)
    for key, sent in finished.items():  # what the lost task sent stands: not run again
        assert by_key[key]["token"] == sent["result"]["token"], key
        assert len(by_key[key]["runs"]) == len(sent["runs"]), key
    sent_tokens = {s["result"]["token"] for s in finished.values()}
    for row in graded_rows:  # the rest ran again, in another task
        if (row["learner"], row["lab"]) not in finished:
            assert row["token"] and row["token"] not in sent_tokens, row
    assert document["summary"]["runs"] == sum(len(r["runs"]) for r in graded_rows)
    assert "sent again" in on_swarm.stderr or on_swarm.returncode == 0


def test_the_grader_task_is_not_privileged_and_has_no_capability(graded):
    *_, killer = graded
    host = killer.seen["HostConfig"]
    assert host["Privileged"] is False and host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert "no-new-privileges" in " ".join(host["SecurityOpt"] or [])
    assert killer.caps.split() == ["CapEff:", "0000000000000000"]  # root, without a capability
    assert [m["Source"] for m in killer.seen["Mounts"] if m["Type"] == "bind"] == ["/var/run/docker.sock"]


def test_no_grader_stack_is_left(graded):
    label = '{{.Label "com.docker.compose.project"}}'
    projects = docker("ps", "-a", "--filter", "label=com.docker.compose.project", "--format", label).stdout
    assert not [p for p in projects.split() if p.startswith("socketlab-grade-")]
    assert not docker("service", "ls", "-q", "--filter", "label=org.socketlab.grade").stdout.split()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
