"""lab_runner on the real stack: its verdicts, outputs and exit codes, including the error paths."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from runner import lab_runner

from lab_runner import labs, stack


def test_list_shows_every_lab_and_its_last_result():
    lab_runner("lab3")
    done = lab_runner("list")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("lab1 ") and "01_raw_bytes" in lines[0]
    assert any(line.startswith("lab3 ") and "passed" in line for line in lines)


@pytest.mark.parametrize("name", ["lab3", "3", "03_dev_log", "run lab3"])
def test_a_lab_can_be_named_several_ways(name):
    done = lab_runner(*name.split())
    assert done.returncode == 0, done.stderr
    assert "PASS: lab3" in done.stdout


def test_lab3_line_is_in_syslog_where_the_runner_says_to_look(rsyslog):
    done = lab_runner("lab3")
    token = done.stdout.split("(run token ")[1].split(")")[0]
    look = done.stdout.splitlines()[-1]
    assert look == f"see it yourself: docker compose exec rsyslog grep {token} /var/log/syslog"
    assert token in rsyslog.check_output(f"grep {token} /var/log/syslog")


def test_an_earlier_runs_line_never_satisfies_a_later_run(tmp_path):
    assert lab_runner("lab3").returncode == 0
    nothing = tmp_path / "nothing.py"
    nothing.write_text("")
    assert lab_runner("lab3", "--exercise", str(nothing)).returncode == 1


def test_run_all_prints_one_line_per_lab_and_a_total():
    done = lab_runner("run", "--all")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(labs.discover()) + 1
    assert all(line.startswith("PASS  lab") for line in lines[:-1])
    assert lines[-1] == f"{len(labs.discover())} passed, 0 failed"


def test_json_and_junit_reports(tmp_path):
    junit = tmp_path / "results.xml"
    done = lab_runner("run", "lab1", "lab2", "--json", "--junit", str(junit))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["passed"] is True and [lab["lab"] for lab in doc["labs"]] == ["lab1", "lab2"]
    assert all(c["passed"] for lab in doc["labs"] for c in lab["checks"])
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["01_raw_bytes", "02_http_by_hand"]
    assert all(s.get("failures") == "0" for s in suites)


def test_a_crashing_exercise_shows_its_own_traceback_and_exit_1(tmp_path):
    crash = tmp_path / "crash.py"
    crash.write_text('print("before the crash")\n1 / 0\n')
    done = lab_runner("lab1", "--exercise", str(crash))
    assert done.returncode == 1
    assert "the exercise exited with code 1" in done.stdout
    out = done.stdout
    assert (
        out.index("before the crash") < out.index('File "crash.py", line 2') < out.index("ZeroDivisionError")
    )
    assert "lab_runner" not in out and '"<string>"' not in out  # no frame of ours
    assert done.stderr == ""


def test_a_hanging_exercise_is_stopped_at_its_time_limit(tmp_path, workbench):
    hang = tmp_path / "hang.py"
    hang.write_text("import time\nprint('waiting forever', flush=True)\ntime.sleep(3600)\n")
    done = lab_runner("lab1", "--exercise", str(hang), "--timeout", "2")
    assert done.returncode == 1
    assert "did not finish within its time limit" in done.stdout and "waiting forever" in done.stdout
    assert "time.sleep(3600)" not in workbench.run("ps -eo args").stdout  # really stopped in there


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lab42"], "unknown lab 'lab42'; the labs are: lab1 (01_raw_bytes)"),
        (["run"], "name the labs to run"),
        ([], "say what to do"),
        (["run", "lab1", "--bogus"], "unrecognized arguments: --bogus"),
        (["lab1", "--exercise", "/no/such/file.py"], "--exercise /no/such/file.py: no such file"),
        (["run", "lab1", "lab2", "--exercise", "x.py"], "--exercise goes with exactly one lab"),
        (["lab1", "--timeout", "-1"], "--timeout takes seconds"),
        (["lab1", "--junit", "/no/such/dir/out.xml"], "--junit /no/such/dir/out.xml: no such folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    done = lab_runner(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("lab_runner: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_no_docker_engine_is_exit_2_saying_what_to_run():
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
    # pytest or testinfra, like a system python3 before ./bootstrap.sh.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cmd = [sys.executable, "-S", "-m", "lab_runner", "lab3"]
    bare = subprocess.run(cmd, cwd=stack.ROOT, capture_output=True, text=True, env=env)
    assert bare.returncode == 2
    assert bare.stderr.startswith("lab_runner: error: this Python lacks ") and "./bootstrap.sh" in bare.stderr
    assert bare.stderr.count("\n") == 1
