"""lab_runner on the real stack, as a learner and an instructor use it: verdicts, reports, exit
codes, the learner's commands, and runs that misbehave (hang, flood, fork, crash)."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from runner import STATE, lab_runner, why_failed

from lab_runner import labs, stack

LAB3 = labs.resolve("lab3")


@pytest.fixture
def own_lab3():
    """The learner's labs/03_dev_log/exercise.py, put back as it was after the test (or gone again,
    when there was none: a fresh clone has none until the first run makes it)."""
    before = LAB3.exercise_path.read_bytes() if LAB3.exercise_path.exists() else None
    yield LAB3.exercise_path
    if before is None:
        LAB3.exercise_path.unlink(missing_ok=True)
    else:
        LAB3.exercise_path.write_bytes(before)


def test_the_first_run_makes_exercise_py_from_the_starter_and_never_replaces_it(own_lab3):
    own_lab3.unlink(missing_ok=True)
    done = lab_runner("lab3")
    assert done.returncode == 1, done.stdout + done.stderr  # the starter: step 2 to do
    assert "made labs/03_dev_log/exercise.py from the starter" in done.stderr
    assert own_lab3.read_bytes() == LAB3.starter_path.read_bytes()
    own_lab3.write_text("print('mine')\n")
    again = lab_runner("lab3")
    assert "made" not in again.stderr and own_lab3.read_text() == "print('mine')\n"


def token_of(stdout: str) -> str:
    return re.search(r"\(run (lab\d+-[0-9a-f]{12})\)", stdout).group(1)


@pytest.mark.parametrize("name", ["lab3", "3", "03_dev_log", "run lab3"])
def test_a_lab_can_be_named_several_ways(name):
    done = lab_runner(*name.split(), "--solution")
    assert done.returncode == 0, done.stderr
    assert "PASS: lab3 (all 2 steps)" in done.stdout


def test_the_starter_shows_the_articles_datagram_arriving_and_what_to_do_next(rsyslog):
    done = lab_runner("lab3", "--exercise", str(LAB3.starter_path))
    assert done.returncode == 1
    token = token_of(done.stdout)
    assert f"  | sent: *****************hello-{token}*****************" in done.stdout
    assert 'connect(3, {sa_family=AF_UNIX, sun_path="/dev/log"}, 11) = 0' in done.stdout
    assert "step 1  PASS" in done.stdout and "step 2  FAIL" in done.stdout
    assert f"hint 1/{len(LAB3.steps[1].hints)}: {LAB3.steps[1].hints[0]}" in done.stdout
    assert done.stdout.splitlines()[-1] == (
        f"see it yourself: docker compose exec rsyslog grep {token} /var/log/syslog /var/log/priority.log"
    )
    line = rsyslog.check_output(f"grep -F -- {token} /var/log/syslog")
    assert f" ***************hello-{token}*****************" in line  # two stars short


def test_an_earlier_runs_lines_never_satisfy_a_later_run(tmp_path):
    assert lab_runner("lab3", "--solution").returncode == 0
    nothing = tmp_path / "nothing.py"
    nothing.write_text("")
    assert lab_runner("lab3", "--exercise", str(nothing)).returncode == 1


def test_run_all_solutions_prints_one_line_per_lab_and_a_total():
    done = lab_runner("run", "--all", "--solution")
    assert done.returncode == 0, done.stdout + done.stderr + why_failed(done.stdout)
    lines = done.stdout.splitlines()
    assert len(lines) == len(labs.discover()) + 1
    assert all(line.startswith("PASS  lab") for line in lines[:-1]), done.stdout
    assert lines[-1] == f"{len(labs.discover())} passed, 0 failed"


def test_json_and_junit_reports_carry_the_steps(tmp_path):
    junit = tmp_path / "results.xml"
    done = lab_runner("run", "lab3", "--exercise", str(LAB3.starter_path), "--json", "--junit", str(junit))
    assert done.returncode == 1, done.stderr
    (lab,) = json.loads(done.stdout)["labs"]
    assert [(s["number"], s["passed"]) for s in lab["steps"]] == [(1, True), (2, False)]
    assert lab["steps"][1]["hint"] == LAB3.steps[1].hints[0]
    assert any(
        'sun_path=\\"/dev/log\\"' in c or 'sun_path="/dev/log"' in c for c in lab["exercise"]["socket_calls"]
    )
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("name") == "03_dev_log" and suite.get("failures") == str(len(LAB3.steps[1].checks))


def test_a_crashing_exercise_shows_its_own_traceback_and_exit_1(tmp_path):
    crash = tmp_path / "crash.py"
    crash.write_text('print("before the crash")\n1 / 0\n')
    done = lab_runner("lab3", "--exercise", str(crash))
    assert done.returncode == 1
    out = done.stdout
    assert "FAIL: lab3 (the exercise exited with code 1;" in out
    assert (
        out.index("before the crash") < out.index('File "crash.py", line 2') < out.index("ZeroDivisionError")
    )
    assert (
        "lab_runner" not in out.split("its socket calls")[0] and '"<string>"' not in out
    )  # no frame of ours
    assert done.stderr == ""


def test_an_exercise_that_exits_3_is_a_failure_that_says_so(tmp_path):
    three = tmp_path / "three.py"
    three.write_text("import sys\nsys.exit(3)\n")
    done = lab_runner("lab3", "--exercise", str(three))
    assert done.returncode == 1
    assert "FAIL: lab3 (the exercise exited with code 3; 0 of 2 steps passed; step 1 is next)" in done.stdout


def test_a_hanging_exercise_is_stopped_at_its_time_limit(tmp_path, workbench):
    hang = tmp_path / "hang.py"
    hang.write_text("import os, time\nprint('pid', os.getpid(), flush=True)\ntime.sleep(3600)\n")
    done = lab_runner("lab3", "--exercise", str(hang), "--timeout", "2")
    assert done.returncode == 1
    assert "did not finish within its time limit" in done.stdout
    pid = re.search(r"\| pid (\d+)", done.stdout).group(1)
    assert not workbench.file(f"/proc/{pid}").exists  # really gone in there


def test_a_forked_server_and_its_files_are_gone_after_the_run(tmp_path, workbench):
    fork = tmp_path / "fork.py"
    fork.write_text(
        "import os, socket, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    server = socket.create_server(('0.0.0.0', 4444))\n"
        "    open(f\"/tmp/left-{os.environ['LAB_TOKEN']}\", 'w').write('x')\n"
        "    time.sleep(3600)\n"
        "time.sleep(0.5)\n"
    )
    for _ in range(2):  # the second run binds the same port: the first's server must be gone
        done = lab_runner("lab3", "--exercise", str(fork))
        assert "the exercise exited" not in done.stdout, done.stdout
        assert re.search(r"stopped after the checks: pid \d+ python3 fork.py", done.stdout), done.stdout
        assert "removed 1 file(s) it left in /tmp" in done.stdout
        assert not workbench.socket("tcp://0.0.0.0:4444").is_listening
        assert workbench.run(f"ls /tmp/left-{token_of(done.stdout)}").rc != 0


def test_a_fork_bomb_is_held_to_its_own_limit_and_the_next_run_passes(tmp_path):
    bomb = tmp_path / "bomb.py"
    bomb.write_text(  # forks up to its limit, then every process waits there
        "import os, time\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        time.sleep(3600)\n"
    )
    # Lab 5: its checks run commands in the sandbox, which the bomb shares with them.
    done = lab_runner("lab5", "--exercise", str(bomb), "--timeout", "5")
    assert done.returncode == 1, done.stdout + done.stderr  # the learner's failure, not the stack's
    assert "did not finish within its time limit" in done.stdout
    # It stopped growing at its own RLIMIT_NPROC (40, for a uid of its sandbox's own), below the
    # sandbox's pids limit, so the checks could still run their commands beside it ...
    assert "Cannot fork" not in done.stdout + done.stderr
    # ... and the next run passes.
    assert lab_runner("lab5", "--solution").returncode == 0


def test_a_fork_bomb_that_keeps_forking_is_stopped_early(tmp_path):
    bomb = tmp_path / "bomb.py"
    bomb.write_text(
        "import os, time\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        time.sleep(0.01)\n"
    )
    # It would spin a core until its time limit: the sandbox stops it once it is plainly a bomb.
    done = lab_runner("lab3", "--exercise", str(bomb), "--timeout", "30")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "stopped early: it kept forking at its process limit" in done.stdout, done.stdout
    assert "did not finish within its time limit" not in done.stdout


def test_a_flooding_exercise_is_bounded_in_time_and_memory(tmp_path):
    flood = tmp_path / "flood.py"
    flood.write_text("import sys\nwhile True:\n    sys.stdout.write('x' * 10000 + '\\n')\n")
    measure = "import resource, subprocess, sys; subprocess.run(sys.argv[1:]); " + (
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    runner = [sys.executable, "-m", "lab_runner", "lab3", "--exercise", str(flood), "--timeout", "30"]
    cmd = [sys.executable, "-c", measure, *runner]
    done = subprocess.run(cmd, cwd=stack.ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LAB_RUNNER_STATE": str(STATE)})  # fmt: skip
    # Stopped once it had printed far more than any exercise does, not at its time limit.
    assert "stopped early: it printed over 16 MiB" in done.stdout, done.stdout[-2000:]
    assert re.search(r"\[\.\.\. [\d,]+ bytes of output not kept \.\.\.\]", done.stdout)
    max_rss_kib = int(done.stdout.splitlines()[-1])
    assert max_rss_kib < 100 * 1024, f"lab_runner grew to {max_rss_kib} KiB"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lab42"], "unknown lab 'lab42'; the labs are: lab1 (01_raw_bytes)"),
        (["run"], "name the labs to run"),
        ([], "say what to do"),
        (["run", "lab1", "--bogus"], "unrecognized arguments: --bogus"),
        (["lab1", "--exercise", "/no/such/file.py"], "--exercise /no/such/file.py: no such file"),
        (["run", "lab1", "lab2", "--exercise", "x.py"], "--exercise goes with exactly one lab"),
        (["lab1", "--solution", "--exercise", "x.py"], "not allowed with argument"),
        (["lab1", "--timeout", "-1"], "--timeout takes seconds"),
        (["lab1", "--junit", "/no/such/dir/out.xml"], "--junit /no/such/dir/out.xml: no such folder"),
        (["hint"], "the following arguments are required: LAB"),
        (["reset", "lab99"], "unknown lab 'lab99'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    done = lab_runner(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("lab_runner: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_no_docker_engine_is_exit_2_saying_what_to_run(own_lab3):
    own_lab3.write_bytes(LAB3.starter_path.read_bytes())  # made already: the error is the one line
    done = lab_runner("lab3", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == 2
    assert done.stderr == (
        "lab_runner: error: no Docker engine answers: run ./bootstrap.sh (as root on a bare Debian host)\n"
    )


def test_a_stopped_service_is_exit_2_naming_it_and_what_to_run():
    stack.compose("stop", "flask", timeout=60)
    try:
        done = lab_runner("lab1")
    finally:
        stack.up()
    assert done.returncode == 2
    assert "service 'flask' is exited: run 'docker compose up -d --build --wait'" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_python_without_the_dependencies_is_told_what_to_run():
    # -S: no site-packages, so a Python that finds lab_runner (in the current folder) but not
    # testinfra, like a system python3 before ./bootstrap.sh.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cmd = [sys.executable, "-S", "-m", "lab_runner", "lab3"]
    bare = subprocess.run(cmd, cwd=stack.ROOT, capture_output=True, text=True, env=env)
    assert bare.returncode == 2
    assert bare.stderr.startswith("lab_runner: error: this Python lacks ") and "./bootstrap.sh" in bare.stderr
    assert bare.stderr.count("\n") == 1


# the learner's loop: list, hint, solution, reset ----------------------------------------------


def test_the_learners_loop_from_the_starter_to_a_pass(own_lab3):
    STATE.unlink(missing_ok=True)
    assert "lab3   " in lab_runner("list").stdout and "not tried yet" in lab_runner("list").stdout
    asked = lab_runner("solution", "lab3")  # no terminal to ask "show it anyway?": --force says so
    assert asked.returncode == 4 and asked.stdout == "" and asked.stderr.count("\n") == 1, asked
    assert "solution lab3 --force" in asked.stderr
    before = lab_runner("solution", "lab3", "--force").stdout
    assert before.startswith("# You have not passed lab3 yet.")
    own_lab3.write_bytes(LAB3.starter_path.read_bytes())
    assert lab_runner("lab3").returncode == 1
    assert re.search(r"lab3 +.* started +1/2 steps", lab_runner("list").stdout)
    hints = [lab_runner("hint", "lab3").stdout for _ in range(len(LAB3.steps[1].hints))]
    assert f"hint 2/{len(LAB3.steps[1].hints)}" in hints[0] and "hint 3/" not in hints[0]
    assert "that is the last hint for step 2" in hints[-1]
    own_lab3.write_bytes(LAB3.solution_path.read_bytes())  # the learner solves it
    hint = lab_runner("hint", "lab3")  # exercise.py changed: checked again first
    assert "checking lab3 first" in hint.stdout and "lab3 passes: no hint needed" in hint.stdout
    assert re.search(r"lab3 +.* passed +2/2 steps .*\(last run: 1 ok, 2 ok\)", lab_runner("list").stdout)
    assert not lab_runner("solution", "lab3").stdout.startswith("# You have not passed")
    own_lab3.write_bytes(LAB3.starter_path.read_bytes())  # an experiment after the pass
    assert lab_runner("lab3").returncode == 1
    listed = lab_runner("list").stdout
    assert re.search(r"lab3 +.* passed +1/2 steps .*\(passed before; last run: 1 ok, 2 FAIL\)", listed), (
        listed
    )
    assert lab_runner("solution", "lab3").returncode == 0  # passed once: no question, in list or here
    own_lab3.write_bytes(LAB3.solution_path.read_bytes())
    reset = lab_runner("reset", "lab3")
    kept = re.search(r"your previous file is kept: (\S+)", reset.stdout).group(1)
    assert (stack.ROOT / kept).read_bytes() == LAB3.solution_path.read_bytes()
    assert own_lab3.read_bytes() == LAB3.starter_path.read_bytes()
    (stack.ROOT / kept).unlink()


def test_watch_checks_again_on_every_save_and_moves_on_when_the_lab_passes(own_lab3):
    STATE.unlink(missing_ok=True)
    own_lab3.write_bytes(LAB3.starter_path.read_bytes())
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "lab_runner", "watch", "lab3"], cwd=stack.ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env={**os.environ, "LAB_RUNNER_STATE": str(STATE)},
    )  # fmt: skip
    seen: list[str] = []

    def read_until(text: str) -> None:
        for line in proc.stdout:
            seen.append(line)
            if text in line:
                return
        raise AssertionError(f"watch ended before printing {text!r}: {''.join(seen)}")

    try:
        read_until("FAIL: lab3 (1 of 2 steps passed; step 2 is next)")
        read_until("watching labs/03_dev_log/exercise.py")
        own_lab3.write_bytes(LAB3.solution_path.read_bytes())  # the learner saves a solution
        read_until("PASS: lab3 (all 2 steps)")
        read_until("lab3 passes. Next: lab")
    finally:
        proc.terminate()
        proc.wait(10)


def test_watch_stays_open_once_every_lab_passes_and_checks_each_save(own_lab3):
    STATE.write_text(json.dumps({lab.folder.name: {"ever_passed": True} for lab in labs.discover()}))
    own_lab3.write_bytes(LAB3.solution_path.read_bytes())
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "lab_runner", "watch", "lab3"], cwd=stack.ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env={**os.environ, "LAB_RUNNER_STATE": str(STATE)},
    )  # fmt: skip
    seen: list[str] = []

    def read_until(text: str) -> None:
        for line in proc.stdout:
            seen.append(line)
            if text in line:
                return
        raise AssertionError(f"watch ended before printing {text!r}: {''.join(seen)}")

    try:
        read_until("PASS: lab3 (all 2 steps)")
        read_until("every lab passes: well done. Still watching lab3")
        own_lab3.write_bytes(LAB3.starter_path.read_bytes())  # the learner experiments on
        read_until("FAIL: lab3 (1 of 2 steps passed; step 2 is next)")
        assert proc.poll() is None  # still open
    finally:
        proc.terminate()
        proc.wait(10)
        STATE.unlink(missing_ok=True)


def test_a_wedged_engine_is_exit_2_within_its_timeout_not_a_hang(tmp_path, own_lab3):
    own_lab3.write_bytes(LAB3.starter_path.read_bytes())  # made already: the error is the one line
    # An engine socket that accepts and never answers, like a wedged dockerd.
    path = str(tmp_path / "wedged.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(8)
        started = time.monotonic()
        done = lab_runner("lab3", env={"DOCKER_HOST": f"unix://{path}"}, timeout=60)
        took = time.monotonic() - started
    assert done.returncode == 2 and done.stderr.startswith("lab_runner: error: no Docker engine answers")
    assert took < 30, f"lab_runner waited {took:.0f} s on a silent engine"
