"""The red team: files written to pass without doing the work, or to change another run's grade.

Each attack is a real exercise run through lab_runner on the real stack, in the sandbox every
run gets. After each one, another learner's good run and do-nothing run of the same lab must
be graded exactly as they are alone (the baseline): the attack changed no grade but its own.
"""

import contextlib
import json
import re
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest
from runner import lab_runner

from lab_runner import labs, sandbox, stack, sweep
from lab_runner.engine import EngineError
from lab_runner.hosts import CommandTimedOut, service_host
from lab_runner.running import Running

LAB3, LAB6, LAB9 = (labs.resolve(k) for k in ("lab3", "lab6", "lab9"))


def run_json(lab, path, *extra) -> dict:
    done = lab_runner(lab.key, "--exercise", str(path), "--json", *extra)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)["labs"][0]


def checks(doc: dict) -> dict[str, bool]:
    return {c["name"]: c["passed"] for step in doc["steps"] for c in step["checks"]}


def write(tmp_path, name, *sources) -> str:
    path = tmp_path / name
    path.write_text("".join(textwrap.dedent(source) for source in sources))
    return str(path)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """What a good file and a do-nothing file get alone, per lab: {lab: (good checks, nothing checks)}."""
    empty = tmp_path_factory.mktemp("baseline") / "nothing.py"
    empty.write_text("")
    found = {}
    for lab in (LAB3, LAB6, LAB9):
        good, nothing = checks(run_json(lab, lab.solution_path)), checks(run_json(lab, empty))
        assert all(good.values()) and not any(nothing.values()), (good, nothing)
        found[lab.key] = (good, nothing, empty)
    return found


def graded_as_alone(baseline, *keys):
    """Another learner's good and do-nothing runs of each lab: exactly their baseline."""
    for key in keys or baseline:
        good, nothing, empty = baseline[key]
        lab = labs.resolve(key)
        assert checks(run_json(lab, lab.solution_path)) == good, f"{key}: a good run was changed"
        assert checks(run_json(lab, empty)) == nothing, f"{key}: a do-nothing run was changed"


SEARCH = """
    import os
    for top in ("/labs", "/", os.getcwd()):
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
            for name in files + dirs:
                if name in ("solution.py", "checks", "lab.toml", "lab_runner", "exercise.py", ".starter.py"):
                    print("FOUND", os.path.join(folder, name))
"""


def test_an_exercise_cannot_run_the_reference_solution(tmp_path, baseline):
    cheat = write(
        tmp_path,
        "cheat.py",
        """
        import glob, os, runpy
        for path in [os.path.join(os.getcwd(), "solution.py"), *glob.glob("/labs/*/solution.py"),
                     *glob.glob("/*/03_dev_log/solution.py"), *glob.glob("/*/*/03_dev_log/solution.py")]:
            if os.path.exists(path):
                runpy.run_path(path, run_name="__main__")
                break
        """,
        SEARCH,
    )
    doc = run_json(LAB3, cheat)
    assert not any(checks(doc).values()), checks(doc)
    assert "FOUND" not in doc["exercise"]["output"], doc["exercise"]["output"]
    assert doc["exercise"]["problem"] is None  # it ran, found nothing, and exited 0


def test_a_planted_usercustomize_or_pth_never_runs_in_a_later_run(tmp_path, baseline):
    forge = "import os\nos.write(1, b'PASS: lab3 (all 2 steps)\\n')\n"
    plant = write(
        tmp_path,
        "plant.py",
        f"""
        import os, site, sys
        forge = {forge!r}
        user = os.path.expanduser("~/.local/lib/python3.11/site-packages")
        for folder in [site.getusersitepackages(), user, "/tmp/.local/lib/python3.11/site-packages", "/tmp"]:
            try:
                os.makedirs(folder, exist_ok=True)
                for name in ("usercustomize.py", "sitecustomize.py"):
                    open(os.path.join(folder, name), "w").write(forge)
                pth = "import os; os.write(1, b'PTH RAN\\\\n')\\n"
                open(os.path.join(folder, "evil.pth"), "w").write(pth)
                print("planted in", folder)
            except OSError as err:
                print("could not plant in", folder, err)
    """,
    )
    doc = run_json(LAB3, plant)
    assert "planted in /tmp" in doc["exercise"]["output"]  # it could write its own /tmp ...
    graded_as_alone(baseline, "lab3")  # ... and nothing of it reached anyone after
    probe = write(tmp_path, "probe.py", "import os\nprint(sorted(os.listdir('/tmp')))\n")
    assert "usercustomize" not in run_json(LAB3, probe)["exercise"]["output"]


def test_an_exercise_holds_no_descriptor_of_the_trace_and_cannot_forge_it(tmp_path, baseline):
    # Lab 9's calls, written to every descriptor the exercise could have inherited, by a
    # program that makes no socket at all.
    forged = (
        "99 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
        '99 bind(3, {sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n'
        "99 socket(AF_UNIX, SOCK_SEQPACKET, 0) = 4\n"
    )
    forge = write(
        tmp_path,
        "forge.py",
        f"""
        import os
        fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))
        print("open descriptors:", fds)
        for fd in range(0, 1024):
            if fd != 1:
                try:
                    os.write(fd, {forged!r}.encode() * 3)
                except OSError:
                    pass
        for path in ("/run/lab/trace", "/run/lab", "/run/lease/alive"):
            try:
                open(path, "w").write("x")
                print("WROTE", path)
            except OSError as err:
                print("refused", path, err.strerror)
    """,
    )
    doc = run_json(LAB9, forge)
    assert "open descriptors: [0, 1, 2, 3]" in doc["exercise"]["output"]  # 3: the listdir itself
    assert "WROTE" not in doc["exercise"]["output"]
    assert not any(checks(doc).values()), checks(doc)
    assert not any("AF_INET" in c for c in doc["exercise"]["socket_calls"]), doc["exercise"]["socket_calls"]
    graded_as_alone(baseline, "lab9")


LEAVE = """
    import ctypes, os, socket, subprocess, sys, time
    libc = ctypes.CDLL(None, use_errno=True)
    IPC_CREAT, IPC_PRIVATE = 0o1000, 0
    shm = libc.shmget(IPC_PRIVATE, 100 << 20, IPC_CREAT | 0o600)
    libc.shmat.restype = ctypes.c_void_p
    addr = libc.shmat(shm, None, 0)
    ctypes.memset(addr, 1, 100 << 20)  # touched: 100 MB of memory
    msg = libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600)
    sem = libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600)
    libc.mq_open.restype = ctypes.c_int
    mq = libc.mq_open(b"/lab-left-behind", os.O_CREAT | os.O_RDWR, 0o600, None)
    print("ipc", shm, msg, sem, mq)
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind("\\0lab-left-behind")
    abstract.listen()
    path = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path.bind("/tmp/lab-left-behind.sock")
    open("/dev/shm/lab-left-behind", "w").write("x" * 1000)
    os.makedirs("/tmp/deep/deeper/deepest")
    for folder in ("/tmp/deep/deeper/deepest", "/tmp/deep/deeper", "/tmp/deep"):
        open(folder + "/file", "w").write("x")
        os.chmod(folder, 0)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            keep = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            keep.bind("\\0lab-daemon")
            keep.listen()
            time.sleep(3600)
        os._exit(0)
    time.sleep(0.2)
"""

LOOK = """
    import os, subprocess
    def read(path):
        try:
            return open(path).read()
        except OSError as err:
            return str(err)
    rows = {t: read("/proc/sysvipc/" + t).count("\\n") - 1 for t in ("shm", "msg", "sem")}
    print("shm:", rows["shm"], "msg:", rows["msg"], "sem:", rows["sem"])
    print("tmp:", sorted(os.listdir("/tmp")), "devshm:", sorted(os.listdir("/dev/shm")))
    unix = read("/proc/net/unix")
    print("abstract:", "lab-left-behind" in unix, "daemon:", "lab-daemon" in unix)
    mine = os.getpid()
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != mine
              and os.stat("/proc/" + p).st_uid == os.getuid()]
    print("processes of mine but me:", len(others))
"""


def test_nothing_an_exercise_leaves_behind_reaches_the_next_run(tmp_path, baseline):
    leave = write(tmp_path, "leave.py", LEAVE)
    doc = run_json(LAB3, leave)
    out = doc["exercise"]["output"]
    assert re.search(r"ipc \d+ \d+ \d+ \d+", out) and "-1" not in out.split("ipc", 1)[1].split()[:4], out
    assert doc["exercise"]["stopped"], "the setsid daemon was not seen running after the checks"
    assert doc["exercise"]["removed_files"] >= 6  # 4 SysV/POSIX objects aside, its files
    seen = run_json(LAB3, write(tmp_path, "look.py", LOOK))["exercise"]["output"]
    assert "shm: 0 msg: 0 sem: 0" in seen, seen
    assert "tmp: [] devshm: []" in seen, seen
    assert "abstract: False daemon: False" in seen, seen
    assert "processes of mine but me: 0" in seen, seen
    graded_as_alone(baseline, "lab3")


def test_memory_processes_and_disk_are_capped_per_run(tmp_path, baseline):
    hog = write(
        tmp_path,
        "hog.py",
        """
        import os, threading, time
        try:
            for n in range(1000):
                threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        except RuntimeError as err:
            print("threads stopped at", n, err)
        try:
            with open("/tmp/fill", "wb") as f:
                while True:
                    f.write(b"x" * (1 << 20))
        except OSError as err:
            print("disk stopped at", os.path.getsize("/tmp/fill") >> 20, "MiB:", err.strerror)
        hoard = []
        while True:
            hoard.append(bytearray(16 << 20))
    """,
    )
    doc = run_json(LAB3, hog, "--timeout", "20")
    out = doc["exercise"]["output"]
    assert re.search(r"threads stopped at (\d+)", out) and int(re.search(r"at (\d+)", out).group(1)) < 64, out
    assert re.search(r"disk stopped at (\d+) MiB: No space left on device", out), out
    assert doc["exercise"]["exit_code"] in (1, 137, -9), doc["exercise"]  # MemoryError, or the OOM killer
    graded_as_alone(baseline, "lab3")


def test_two_server_labs_at_once_never_collide_on_their_port(baseline):
    # Lab 6's server listens on 12345: each run has a network namespace of its own.
    results = {}

    def one(n):
        results[n] = lab_runner("lab6", "--solution")

    threads = [threading.Thread(target=one, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for done in results.values():
        assert done.returncode == 0 and "PASS: lab6 (all 4 steps)" in done.stdout, done.stdout + done.stderr


def test_a_server_left_listening_on_the_labs_port_does_not_take_it_from_the_next_run(tmp_path, baseline):
    squat = write(
        tmp_path,
        "squat.py",
        """
        import os, socket, time
        if os.fork() == 0:
            os.setsid()
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", 12345))
            s.listen()
            while True:
                c, _ = s.accept()
                c.sendall(b"squatter\\n")
        time.sleep(0.5)
    """,
    )
    run_json(LAB6, squat, "--timeout", "5")
    graded_as_alone(baseline, "lab6")


FLOODS = {
    "syslog": """
        import os, socket, time
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect("/dev/log")
        end = time.monotonic() + 4
        while time.monotonic() < end:
            try:
                os.write(s.fileno(), b"<13>flood " + b"x" * 1000)
            except OSError:
                pass
    """,
    "chat": """
        import socket, time
        end = time.monotonic() + 4
        while time.monotonic() < end:
            try:
                c = socket.create_connection(("chat", 12345), timeout=1)
                c.sendall(b"flood flood flood\\n" * 2000)
                c.close()
            except OSError:
                time.sleep(0.01)
    """,
    "flask": """
        import socket, time
        held = []
        end = time.monotonic() + 4
        while time.monotonic() < end:
            try:
                held.append(socket.create_connection(("flask", 5000), timeout=1))
                held[-1].sendall(b"GET / HTTP/1.1\\r\\n")
            except OSError:
                time.sleep(0.01)
    """,
}


@pytest.mark.parametrize("service", FLOODS)
def test_a_flood_of_a_service_is_misbehaviour_and_changes_no_other_grade(tmp_path, service):
    # The services are the one thing runs still share: a flooded chat server takes a while to
    # read what it was sent. `grade` runs the class side by side, sees the flood in the
    # flooder's own trace, and runs again what failed beside it.
    root = tmp_path / "class"
    flood = textwrap.dedent(FLOODS[service])
    for learner, files in {
        "flooder": {LAB3: flood, LAB6: flood},
        "good": {LAB3: LAB3.solution_path.read_text(), LAB6: LAB6.solution_path.read_text()},
        "nothing": {LAB3: "", LAB6: ""},
    }.items():
        for lab, text in files.items():
            (root / learner / lab.folder.name).mkdir(parents=True)
            (root / learner / lab.folder.name / "exercise.py").write_text(text)
    done = lab_runner(
        "grade", str(root), "--out", str(tmp_path / "out"), "--labs", "lab3,lab6", "--timeout", "8"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "out" / "grades.json").read_text())["results"]
    status = {(r["learner"], r["lab"]): r for r in results}
    for lab in ("lab3", "lab6"):
        assert status["good", lab]["status"] == "passed", status["good", lab]["runs"]
        assert status["nothing", lab]["status"] == "failed"
        assert status["nothing", lab]["steps_passed"] == 0
        assert status["flooder", lab]["status"] == "failed"
    if service in ("syslog", "chat"):  # bytes sent: a flood by its size (Flask's is one of connections)
        seen = status["flooder", "lab3"]["runs"][0]["misbehaved"]
        assert any("flooded its sockets" in why for why in seen), seen


def test_an_exercise_cannot_touch_lab_run_or_strace(tmp_path, baseline):
    touch = write(
        tmp_path,
        "touch.py",
        """
        import os, signal
        for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
            if pid == os.getpid():
                continue
            try:
                os.kill(pid, signal.SIGKILL)
                print("KILLED", pid)
            except OSError as err:
                print("refused", pid, err.strerror)
        try:
            os.kill(-1, signal.SIGKILL)  # every process it may signal: its own only
        except OSError:
            pass
    """,
    )
    doc = run_json(LAB3, touch)
    assert "KILLED" not in doc["exercise"]["output"], doc["exercise"]["output"]
    assert doc["exercise"]["exit_code"] == 0  # kill(-1) reached nothing it may not signal
    graded_as_alone(baseline, "lab3")


def test_a_sandbox_made_but_never_started_is_swept(monkeypatch):
    # A refill thread of a process that exits between "create" and "start" leaves a sandbox that
    # Docker never removes (AutoRemove acts once it has run). The next refill sweeps it.
    workbench = stack.container_id("workbench")
    pool = sandbox.Pool()
    orphan = pool._name("spare")
    spec = pool._template(workbench)
    cid = stack.engine().request("POST", "/containers/create?name=" + orphan, spec)["Id"]
    try:
        assert stack.engine().request("GET", f"/containers/{cid}/json")["State"]["Status"] == "created"
        monkeypatch.setattr(sweep, "STALE_CREATED", 0)  # the test's orphan is not a minute old
        pool.refill(workbench, wait=True)
        with pytest.raises(EngineError):
            stack.engine().request("GET", f"/containers/{cid}/json")  # gone: 404
    finally:
        with contextlib.suppress(EngineError):
            stack.engine().request("DELETE", f"/containers/{cid}?force=1")


# --- issue 21: evidence from outside the sandbox ------------------------------------------------

# A module planted wherever the exercise may write: imported by anyone, it says so in a file the
# exercise (a server, still running while its checks run) watches and prints.
PLANT = """
    import os
    MARK = (
        "import os\\n"
        "with open('/tmp/imported', 'a') as f:\\n"
        "    f.write(f'IMPORTED by uid {os.getuid()} in {os.getcwd()}\\\\n')\\n"
    )
    open("/tmp/imported", "w").close()
    os.chmod("/tmp/imported", 0o666)
    for name in ("json", "socket", "subprocess", "signal", "re", "errno", "sitecustomize", "encodings"):
        for folder in ("/tmp", "/dev/shm", os.getcwd()):
            try:
                open(os.path.join(folder, name + ".py"), "w").write(MARK)
            except OSError:
                pass
"""
SERVE_AND_WATCH = """
    import socket, threading, time
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 12345))
    s.listen()
    threading.Thread(target=lambda: [s.accept()[0].close() for _ in iter(int, 1)], daemon=True).start()
    seen = ""
    for _ in range(120):
        now = open("/tmp/imported").read()
        print(now[len(seen):], end="", flush=True)
        seen = now
        time.sleep(0.1)
"""


def test_modules_planted_where_the_checks_run_are_never_imported(tmp_path, baseline):
    # The checks' commands once ran as root from the sandbox's /tmp: a json.py left there ran as
    # root inside lab 6's checks' client (it forged the trace), and a socket.py answered lab 9's
    # AF_VSOCK probe, whose answer was then kept for a whole class.
    plant = write(tmp_path, "plant.py", PLANT, SERVE_AND_WATCH)
    doc = run_json(LAB6, plant, "--timeout", "15")
    assert "IMPORTED" not in doc["exercise"]["output"], doc["exercise"]["output"]
    assert not checks(doc)["test_it_passes_each_line_on_to_the_other_client"]
    graded_as_alone(baseline, "lab6")


def test_a_probe_answer_poisoned_in_one_sandbox_changes_no_grade_in_a_class(tmp_path):
    root = tmp_path / "class"
    for learner, text in {
        "attacker": textwrap.dedent(PLANT),
        "good": LAB9.solution_path.read_text(),
        "nothing": "",
    }.items():
        (root / learner / LAB9.folder.name).mkdir(parents=True)
        (root / learner / LAB9.folder.name / "exercise.py").write_text(text)
    done = lab_runner("grade", str(root), "--out", str(tmp_path / "out"), "--labs", "lab9", "--timeout", "8")
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "out" / "grades.json").read_text())["results"]
    status = {r["learner"]: r for r in results}
    assert status["good"]["status"] == "passed", status["good"]["runs"]
    assert status["nothing"]["steps_passed"] == status["attacker"]["steps_passed"] == 0


def test_checks_commands_run_from_root_of_the_filesystem_and_on_a_deadline():
    workbench = stack.container_id("workbench")
    host = service_host("workbench", workbench, deadline=time.monotonic() + 2)
    assert host.check_output("pwd") == "/"
    assert host.check_output("python3 -c 'import sys; print(sys.path[0])'") != ""  # not the cwd ('')
    started = time.monotonic()
    with pytest.raises(CommandTimedOut):  # a check waiting on a command is the run's failure ...
        host.run("sleep 30")
    assert time.monotonic() - started < 20  # ... at its deadline (2 s), not the command's own 30 s
    with pytest.raises(CommandTimedOut):
        host.run("true")  # the deadline has passed: no command starts


def test_every_byte_moving_call_counts_as_sent(tmp_path, baseline):
    # pwritev2 and splice were not traced: 4 KB datagrams to syslog went unseen by the flood limits.
    flood = write(
        tmp_path,
        "pwritev2.py",
        """
        import ctypes, os, socket
        libc = ctypes.CDLL(None, use_errno=True)
        class iovec(ctypes.Structure):
            _fields_ = [("base", ctypes.c_char_p), ("len", ctypes.c_size_t)]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect("/dev/log")
        data = b"<13>pwritev2 " + b"x" * 4000
        iov = iovec(data, len(data))
        r, w = os.pipe()
        for n in range(400):
            libc.pwritev2(s.fileno(), ctypes.byref(iov), 1, ctypes.c_long(-1), 0)
            os.write(w, b"<13>spliced")
            os.splice(r, s.fileno(), 11)
        ctx = ctypes.c_ulong(0)
        print("io_setup:", libc.syscall(206, 1, ctypes.byref(ctx)), os.strerror(ctypes.get_errno()))
        """,
    )
    doc = run_json(LAB3, flood)
    assert "flooded its sockets" in (doc["exercise"]["problem"] or ""), doc["exercise"]
    assert "io_setup: -1 Function not implemented" in doc["exercise"]["output"]  # Linux AIO: refused
    graded_as_alone(baseline, "lab3")


def test_a_trace_too_long_to_keep_fails_closed(tmp_path, baseline):
    # 5,000 getsockopt() calls once pushed lab 2's recv() == 0 into a middle that was not kept.
    noisy = write(
        tmp_path,
        "noisy.py",
        """
        import socket
        s = socket.socket()
        for _ in range(21_000):
            s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
        """,
        LAB3.solution_path.read_text(),
    )
    doc = run_json(LAB3, noisy)
    reasons = [c["reason"] for step in doc["steps"] for c in step["checks"]]
    assert not any(checks(doc).values()), checks(doc)
    assert all("the trace was cut after 20,000 calls" in r for r in reasons), reasons
    graded_as_alone(baseline, "lab3")


def ip_of_container(cid: str) -> str:
    info = stack.engine().request("GET", f"/containers/{cid}/json")
    return next(n["IPAddress"] for n in info["NetworkSettings"]["Networks"].values() if n["IPAddress"])


def test_a_sandbox_takes_no_connection_from_another_run_nor_changes_its_wall(tmp_path):
    # A classmate's address came through the chat relay; connecting to its port 12345 and never
    # reading once blocked a relay's sendall() for good.
    workbench = stack.container_id("workbench")
    server = write(
        tmp_path,
        "server.py",
        """
        import socket, subprocess
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 12345))
        s.listen()
        s.settimeout(8)
        try:
            print("ACCEPTED", s.accept()[1])
        except OSError as err:
            print("nobody came:", err)
        wall = subprocess.run(["nft", "flush", "ruleset"], capture_output=True, text=True)
        print("flush:", wall.returncode, wall.stderr.strip())
        """,
    )
    with Running(workbench, Path(server), LAB6.folder, "tok-a", 12, serve_port=12345) as theirs:
        theirs.wait()
        assert theirs.result().serving, theirs.result().output
        target = ip_of_container(theirs.sandbox)
        client = write(
            tmp_path,
            "client.py",
            f"""
            import socket
            try:
                socket.create_connection(({target!r}, 12345), timeout=2)
                print("CONNECTED")
            except OSError as err:
                print("could not connect:", type(err).__name__)
            """,
        )
        with Running(workbench, Path(client), LAB3.folder, "tok-b", 10) as mine:
            mine.wait()
        done = stack.engine().exec(  # not from the stack's own workbench either
            workbench,
            ["python3", "-I", "-c", f"import socket; socket.create_connection(({target!r}, 12345), 2)"],
        )
        assert done.exit_code != 0, done
    assert "could not connect: TimeoutError" in mine.result().output, mine.result().output
    assert "ACCEPTED" not in theirs.result().output, theirs.result().output


def test_a_sandbox_whose_lab_run_does_not_end_is_removed_from_outside(tmp_path):
    workbench = stack.container_id("workbench")
    nap = write(tmp_path, "nap.py", "import time\ntime.sleep(1)\n")
    with Running(workbench, Path(nap), LAB3.folder, "tok-stop", 10) as run:
        run.wait()
        box = run.sandbox
        stack.engine().exec(
            box, ["sh", "-c", "kill -STOP $(pgrep -f '^/usr/bin/python3 /usr/local/bin/lab-run')"]
        )
    with pytest.raises(EngineError):  # gone: 404
        stack.engine().request("GET", f"/containers/{box}/json")


def test_a_claimed_sandbox_past_its_deadline_is_swept():
    workbench = stack.container_id("workbench")
    name = f"{stack.project()}-sandbox-run-{int(time.time()) - 1}-{uuid.uuid4().hex[:10]}"
    cid = sandbox.Pool()._start(workbench, name)  # started: lab-run waits for a claim that never comes
    try:
        sweep.sweep(sandbox.LABEL)
        # Killing it starts Docker's own removal (AutoRemove), which can answer the sweep's DELETE
        # with "removal already in progress" and take a moment under load: gone within 20 s.
        deadline = time.monotonic() + 20
        with pytest.raises(EngineError):
            while time.monotonic() < deadline:
                stack.engine().request("GET", f"/containers/{cid}/json")
                time.sleep(0.2)
    finally:
        with contextlib.suppress(EngineError):
            stack.engine().request("DELETE", f"/containers/{cid}?force=1")


def test_a_head_longer_than_strace_shows_is_not_judged_by_what_follows_it(tmp_path):
    # strace showed 256 bytes of a send: a head past them hid its own empty line, and a later
    # send(b"\r\n\r\n") passed for the request's second piece (lab 2, step 2).
    long_head = write(
        tmp_path,
        "long_head.py",
        """
        import os, socket, time
        token = os.environ["LAB_TOKEN"]
        s = socket.create_connection(("flask", 5000))
        s.send(f"GET /?run={token} HTTP/1.1\\r\\nHost: flask\\r\\nX-Pad: {'a' * 5000}\\r\\n\\r\\n".encode())
        time.sleep(0.3)
        s.send(b"\\r\\n\\r\\n")
        print(s.recv(4096))
        """,
    )
    doc = run_json(labs.resolve("lab2"), long_head)
    assert not checks(doc)["test_one_request_went_in_pieces"], checks(doc)
    reasons = " ".join(c["reason"] for step in doc["steps"] for c in step["checks"])
    assert "longer than the 4096 bytes strace shows" in reasons, reasons
