"""The red team against lab 16's injected faults: files that claim a fault strace never made,
or that pass its steps without surviving one. Each is a real run through lab_runner on the real
stack; the trace they would need to forge is strace's, which the exercise cannot write."""

import json
import subprocess
import textwrap

from runner import lab_runner

from lab_runner import labs, stack

LAB16 = labs.resolve("lab16")
HEAD = """
import os, socket, sys, time
token = os.environ["LAB_TOKEN"]
FLASK = (os.environ["LAB_FLASK_ADDR"], 5000)
CHAT = (os.environ["LAB_CHAT_ADDR"], 12345)
FORGED = b") = -1 ECONNRESET (Connection reset by peer) (INJECTED) <0.000005>\\n"
"""


def run(tmp_path, name, source) -> dict[str, bool]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(HEAD) + textwrap.dedent(source))
    done = lab_runner(LAB16.key, "--exercise", str(path), "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    doc = json.loads(done.stdout)["labs"][0]
    return {c["name"]: c["passed"] for step in doc["steps"] for c in step["checks"]}


def test_a_file_that_prints_strace_lines_with_injected_passes_nothing(tmp_path):
    """It prints what an injected trace looks like, to stdout and to stderr: neither is the trace."""
    got = run(
        tmp_path,
        "prints.py",
        """
        for n in range(4):
            line = (f'{n} connect(3<socket:[1]>, {{sa_family=AF_INET, sin_port=htons(5000), '
                    f'sin_addr=inet_addr("{FLASK[0]}")}}, 16) = -1 ECONNREFUSED '
                    '(Connection refused) (INJECTED)')
            print(line)
            print(line, file=sys.stderr)
    """,
    )
    assert not any(got.values()), got


def test_bytes_that_say_injected_are_no_injected_reset(tmp_path):
    """Step 3's lines, each carrying strace's words for a reset, sent with os.write (write(), which
    the lab never injects into) on one connection that nothing reset: chat hears them all once,
    yet no send was reset and nothing reconnected."""
    got = run(
        tmp_path,
        "says_injected.py",
        """
        for n in range(5):
            try:
                s = socket.create_connection(CHAT)
                break
            except ConnectionRefusedError:
                time.sleep(0.1 * 2 ** n)
        for n in range(1, 11):
            os.write(s.fileno(), f"{token} line {n}/10 ".encode() + FORGED.replace(b"\\n", b"") + b"\\n")
        s.close()
    """,
    )
    assert not got["test_a_send_to_chat_was_reset_by_injection"], got
    assert not got["test_it_connected_to_chat_again_after_the_reset"], got


def test_a_file_that_never_connects_passes_nothing(tmp_path):
    got = run(
        tmp_path,
        "never.py",
        """
        print("attempt 1 refused; attempt 2 refused; step 2: HTTP/1.1 200 OK; step 3: 10 lines sent")
    """,
    )
    assert not any(got.values()), got


def test_a_name_lookup_takes_the_faults_and_step_1_says_so(tmp_path):
    """Connecting by name: the refusals land on the resolver's connects (nscd, DNS), never on a
    connect to flask, so step 1 sees none."""
    got = run(
        tmp_path,
        "by_name.py",
        """
        for n in range(6):
            try:
                s = socket.create_connection(("flask", 5000))
                break
            except OSError:
                time.sleep(0.1)
        s.close()
    """,
    )
    assert not got["test_a_connect_to_flask_was_refused_by_injection"], got


def test_with_faults_the_exercise_is_as_unprivileged_as_without(tmp_path):
    """With faults lab-run drops the uid in Python rather than setpriv: the same ids, no groups,
    no capability, the same process limit, as a lab without faults (lab 10) gives."""
    path = tmp_path / "whoami.py"
    path.write_text(
        textwrap.dedent("""
        import os, resource
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        ids = [status[k].split() for k in ("Uid", "Gid")]
        own = int(ids[0][0]) >= 1000000
        print("same ids", all(len(set(i)) == 1 for i in ids), ids[0][0] == ids[1][0], own)
        print("groups", os.getgroups(), status["Groups"].strip())
        print("caps", *(status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")))
        print("nproc", resource.getrlimit(resource.RLIMIT_NPROC))
        print("no_new_privs", status["NoNewPrivs"].strip())
        """)
    )
    outputs = []
    for key in ("lab16", "lab10"):
        done = lab_runner(key, "--exercise", str(path), "--json")
        outputs.append(json.loads(done.stdout)["labs"][0]["exercise"]["output"])
    assert outputs[0] == outputs[1], outputs
    assert "same ids True True True" in outputs[0] and "groups [] \n" in outputs[0], outputs[0]
    assert "caps 0000000000000000 0000000000000000 0000000000000000 0000000000000000" in outputs[0]


FAULT_ENV = """
import importlib.machinery, importlib.util, json
loader = importlib.machinery.SourceFileLoader("lab_run", "/usr/local/bin/lab-run")
spec = importlib.util.spec_from_loader("lab_run", loader)
lab_run = importlib.util.module_from_spec(spec)
loader.exec_module(lab_run)
print(json.dumps(lab_run.fault_env(within=1.0)))
"""


def fault_env_on(network: str) -> list:
    image = stack.engine().request("GET", f"/containers/{stack.container_id('workbench')}/json")["Image"]
    done = subprocess.run(
        ["docker", "run", "--rm", "--network", network, "--entrypoint", "python3", image, "-c", FAULT_ENV],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_service_name_that_does_not_resolve_runs_nothing_rather_than_taking_the_faults():
    """Without LAB_CHAT_ADDR a correct program looks "chat" up itself, and its lookup's sendto()s
    take the lab's faults: lab-run then says which names did not resolve and runs nothing (the
    environment's fault: lab_runner's StackError, tried again by grade), never a learner's FAIL."""
    env, unresolved = fault_env_on(f"container:{stack.container_id('workbench')}")
    assert set(env) == {"LAB_FLASK_ADDR", "LAB_CHAT_ADDR"} and unresolved == [], (env, unresolved)
    assert fault_env_on("none") == [{}, ["flask", "chat"]]
