"""`grade` without Docker: what it finds in a class folder, what it refuses, how it writes the
results (CSV a spreadsheet cannot run, XML that parses), and which failures it runs again."""

import csv
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from lab_runner import cli, labs, verdict
from lab_runner.escaping import one_line
from lab_runner.exercise_result import ExerciseResult
from lab_runner.grade import outputs, scheduler, submissions
from lab_runner.grade.entry import Entry, Misbehaviour, misbehaved
from lab_runner.labs import LabError

EVERY = labs.discover()
LAB = {lab.key: lab for lab in EVERY}


def write(path: Path, data: bytes | str = "print('hi')\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def collect(root: Path, chosen: list[labs.Lab] | None = None) -> tuple[list[str], dict, list[str]]:
    warnings: list[str] = []
    chosen = chosen or [LAB["lab1"], LAB["lab3"]]
    learners, entries = submissions.collect(root, chosen, EVERY, warnings.append)
    return learners, {(e.learner, e.lab.key): e for e in entries}, warnings


def test_a_learner_folder_mirrors_labs_and_a_missing_file_is_not_attempted(tmp_path):
    write(tmp_path / "alice" / "03_dev_log" / "exercise.py")
    (tmp_path / "bob").mkdir()
    learners, found, warnings = collect(tmp_path)
    assert learners == ["alice", "bob"] and warnings == []
    assert (found["alice", "lab3"].status, found["alice", "lab3"].file) == (
        "to grade", tmp_path / "alice" / "03_dev_log" / "exercise.py",
    )  # fmt: skip
    assert [found[k].status for k in [("alice", "lab1"), ("bob", "lab1"), ("bob", "lab3")]] == [
        "not attempted"
    ] * 3


def test_stray_entries_are_warned_about_and_never_fatal(tmp_path):
    write(tmp_path / "alice" / "03_dev_log" / "exercise.py")
    write(tmp_path / "alice" / "03_dev_log" / "notes.md", "mine")
    write(tmp_path / "alice" / "lab3" / "exercise.py")
    write(tmp_path / "alice" / "todo.txt", "x")
    write(tmp_path / "alice" / "06_tcp_chat" / "exercise.py")  # a lab, just not among the chosen
    write(tmp_path / "README.md", "the class")
    (tmp_path / ".git").mkdir()
    (tmp_path / "bad\x1bname").mkdir()
    os.symlink(tmp_path / "alice", tmp_path / "alias")
    learners, found, warnings = collect(tmp_path)
    assert learners == ["alice"]
    assert found["alice", "lab3"].status == "to grade"
    assert warnings == [
        ".git: hidden, ignored",
        "README.md: not a learner folder, ignored",
        "alias: a symbolic link, ignored",
        "alice/03_dev_log/notes.md: only exercise.py is graded, ignored",
        "alice/lab3: not a lab folder (did you mean 03_dev_log?), ignored",
        "alice/todo.txt: not a lab folder, ignored",
        "bad\\x1bname: its name is not plain text, ignored",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"print('caf\xe9')\n", "not UTF-8 text: byte 0xe9 on line 1"),
        (b"import os\n\xff\n", "not UTF-8 text: byte 0xff on line 2"),
        ("def broken(:\n    pass\n", "not valid Python: invalid syntax (line 1)"),
        ("print('a')\n  print('b')\n", "not valid Python: unexpected indent (line 2)"),
        (b"print(1)\x00\n", "not valid Python"),
        (b"x" * (submissions.MAX_BYTES + 1), "larger than 1024 KiB: not graded"),
    ],
)
def test_a_file_that_is_not_utf8_python_is_invalid_with_a_reason(tmp_path, content, reason):
    write(tmp_path / "carol" / "03_dev_log" / "exercise.py", content)
    _, found, _ = collect(tmp_path)
    assert found["carol", "lab3"].status == "invalid"
    assert found["carol", "lab3"].reason.startswith(reason)


def test_a_symbolic_link_is_not_followed(tmp_path):
    secret = write(tmp_path / "secret.py", "print('the grader host file')\n")
    (tmp_path / "class" / "eve" / "03_dev_log").mkdir(parents=True)
    os.symlink(secret, tmp_path / "class" / "eve" / "03_dev_log" / "exercise.py")
    os.symlink(tmp_path / "class" / "eve" / "03_dev_log", tmp_path / "class" / "eve" / "01_raw_bytes")
    _, found, _ = collect(tmp_path / "class")
    assert found["eve", "lab3"].status == "invalid" and "symbolic link" in found["eve", "lab3"].reason
    assert found["eve", "lab1"].status == "invalid" and "symbolic link" in found["eve", "lab1"].reason


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: None, "no such folder"),
        (lambda root: write(root, "a file"), "not a folder"),
        (lambda root: (root.mkdir(), write(root / "README", "x")), "has no learner folders"),
    ],
)
def test_a_class_folder_that_is_not_one_is_a_lab_error(tmp_path, make, message):
    make(tmp_path / "class")
    with pytest.raises(LabError, match=message):
        collect(tmp_path / "class")


def test_the_results_folder_inside_the_class_folder_is_not_a_learner(tmp_path):
    (tmp_path / "alice").mkdir()
    write(tmp_path / "results" / "grades.csv", "old")
    warnings: list[str] = []
    learners, _ = submissions.collect(
        tmp_path, EVERY, EVERY, warnings.append, skip=(tmp_path / "results").resolve()
    )
    assert learners == ["alice"] and warnings == []


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("FAIL: lab3\n(1 of 2)\r\n", "FAIL: lab3 (1 of 2)"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\u202eb", "a\\u202eb"),
    ],
)
def test_a_csv_cell_is_one_line_and_never_a_formula(text, cell):
    assert outputs.cell(text) == cell


def test_a_folder_name_that_is_not_utf8_is_written_as_escapes():
    name = os.fsdecode(b"bob\xff")
    assert one_line(name) == "bob\\xff"


def entry(learner: str, lab: str, status: str, reason: str = "") -> Entry:
    return Entry(learner, LAB[lab], status=status, reason=reason)


def test_the_csv_junit_and_json_carry_every_row(tmp_path):
    entries = [
        entry("=evil", "lab1", "invalid", "not valid Python: invalid syntax (line 1)"),
        entry("=evil", "lab3", "not attempted", "no exercise.py"),
        entry("ann\x07", "lab1", "error", "service 'flask' is exited"),
        entry("ann\x07", "lab3", "not attempted", "no exercise.py"),
    ]
    outputs.write_csv(entries, tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == outputs.COLUMNS
    assert [(r["learner"], r["lab"], r["status"], r["passed"], r["steps_total"]) for r in rows] == [
        ("'=evil", "lab1", "invalid", "false", "2"), ("'=evil", "lab3", "not attempted", "false", "2"),
        ("ann\\x07", "lab1", "error", "false", "2"), ("ann\\x07", "lab3", "not attempted", "false", "2"),
    ]  # fmt: skip
    outputs.write_junit(["=evil", "ann\x07"], entries, tmp_path / "junit.xml")
    suites = ET.parse(tmp_path / "junit.xml").getroot().findall("testsuite")
    assert [(s.get("name"), s.get("failures"), s.get("errors"), s.get("skipped")) for s in suites] == [
        ("=evil", "1", "0", "1"), ("ann\\x07", "0", "1", "1"),
    ]  # fmt: skip
    assert suites[0].find("testcase/failure").get("type") == "invalid"
    document = outputs.as_document(["=evil", "ann\x07"], [LAB["lab1"], LAB["lab3"]], entries, {}, [])
    assert [r["learner"] for r in document["results"]] == ["=evil", "=evil", "ann\\x07", "ann\\x07"]
    assert all(r["report"] is None and r["attempts"] == 0 for r in document["results"])


def test_earlier_results_are_moved_aside(tmp_path):
    assert outputs.prepare(tmp_path / "new" / "deep") is None and (tmp_path / "new" / "deep").is_dir()
    write(tmp_path / "out" / "grades.csv", "old")
    write(tmp_path / "out" / "junit.xml", "<old/>")
    aside = outputs.prepare(tmp_path / "out")
    assert aside.parent == tmp_path / "out" and aside.name.startswith("previous-")
    assert (aside / "grades.csv").read_text() == "old" and not (tmp_path / "out" / "grades.csv").exists()
    write(tmp_path / "file", "x")
    with pytest.raises(LabError, match="not a folder"):
        outputs.prepare(tmp_path / "file")
    with pytest.raises(LabError, match="Not a directory"):
        outputs.prepare(tmp_path / "file" / "out")


def result(lab: str, exit_code: int | None = 0, trace: list[str] | None = None, **kw) -> verdict.LabResult:
    ran = ExerciseResult(file="exercise.py", exit_code=exit_code, output=kw.pop("output", ""), seconds=0.1,
                         trace=trace or [], **kw)  # fmt: skip
    return verdict.LabResult(lab=LAB[lab], token=f"{lab}-0", exercise=ran)


SOCKET = ["10 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3"]
UNIX_BIND = [
    "1 socket(AF_UNIX, SOCK_STREAM, 0) = 3",
    '1 bind(3, {sa_family=AF_UNIX, sun_path="/tmp/x.sock"}, 14) = 0',
]
PORT_BIND = [
    '1 bind(3, {sa_family=AF_INET, sin_port=htons(12345), sin_addr=inet_addr("0.0.0.0")}, 16) = -1 EADDRINUSE'
]
CLONE = ["1 clone(child_stack=NULL, flags=SIGCHLD) = 9"]
CONNECT = [
    '10 connect(3, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("172.20.0.3")}, 16) = 0'
]
NSCD_TRY = [
    "9 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3",
    '9 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
]
RESOLVER = [
    "10 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 4",
    '10 connect(4, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.11")}, 16) = 0',
]


@pytest.mark.parametrize(
    ("ran", "seen"),
    [
        (result("lab3"), []),
        (result("lab3", removed=1, trace=UNIX_BIND), []),  # its own socket file
        (result("lab6", 137, serving=True, stopped=["5 python3 exercise.py"]), []),  # its server, stopped
        (result("lab6", 124, serving=True), ["stopped at its time limit"]),  # stopped while checked
        (result("lab3", 124), ["stopped at its time limit"]),
        (result("lab3", -6), ["killed by a signal"]),
        (result("lab3", 137), ["killed by SIGKILL (out of memory?)"]),
        (result("lab3", 137, runaway="it printed over 16 MiB"), ["stopped early: it printed over 16 MiB"]),
        (result("lab3", stopped=["7 python3 exercise.py"]), ["left 1 process(es) running"]),
        (result("lab3", removed=1), ["left 1 file(s) in /tmp that are not its sockets"]),
        (result("lab3", output="x\n[... 9,000 bytes ...]\ny", output_dropped=9000), ["flooded its output"]),
        (result("lab3", output="[... 9,000 bytes of output not kept ...]"), []),  # printed, not dropped
        (result("lab3", trace=SOCKET * 70), ["made 70 sockets"]),
        (result("lab3", trace=["1 close(3) = 0"] * 2001), ["made a flood of socket calls"]),
        (result("lab3", trace=CLONE * 33), ["started 33 processes or threads"]),
        (
            result("lab3", 124, trace=PORT_BIND),
            ["stopped at its time limit", "held (or tried to hold) a port until its time limit"],
        ),
        (result("lab6", 124, trace=PORT_BIND), ["stopped at its time limit"]),  # its own port
    ],
)
def test_what_a_run_did_that_can_reach_a_run_beside_it(ran, seen):
    assert misbehaved(ran) == seen


def ran(lab: str, at: tuple[float, float], res: verdict.LabResult | None = None) -> Entry:
    e = Entry("alice", LAB[lab], file=Path("x.py"), status="to grade")
    e.span = at
    e.record(res or result(lab), alone=False)
    return e


CROWD = [f"10 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = {fd}" for fd in range(3, 80)]  # 77 sockets


def test_a_failure_beside_a_run_that_held_something_shared_is_suspect_and_only_then():
    quiet_fail = ran("lab3", (0, 2))  # no checks ran: a failure
    # What the services share: a crowd of sockets (a daemon, its files and ports stay in its sandbox).
    crowd = ran("lab1", (1, 3), result("lab1", trace=CROWD))
    daemon = ran("lab1", (1, 3), result("lab1", stopped=["7 python3 exercise.py"]))
    later_crowd = ran("lab1", (5, 6), result("lab1", trace=CROWD))
    flood = ran(
        "lab4", (0, 9), result("lab4", 124, output="[... 1 bytes of output not kept ...]", output_dropped=1)
    )
    server = ran("lab6", (0, 4), result("lab6", trace=SOCKET))
    sleeper = ran("lab2", (0, 20), result("lab2", 124))
    assert quiet_fail.suspect and quiet_fail.disturbed_by(crowd)
    assert not quiet_fail.disturbed_by(daemon)  # what it left ran in its own sandbox, and went with it
    assert not quiet_fail.disturbed_by(later_crowd)  # not beside it
    assert not quiet_fail.disturbed_by(flood)  # CPU only: a run that is not a server lab is slower, not wrong
    assert server.disturbed_by(flood)  # ... but a server lab is checked while it runs
    assert not crowd.suspect  # it held something itself: its failure is its own
    assert not sleeper.suspect  # it hung without a socket: nothing beside it makes that happen
    spinning_server = ran("lab6", (0, 4), result("lab6", trace=["1 close(3) = 0"] * 2001))
    assert server.disturbed_by(spinning_server)  # a neighbour's spin can slow a checked server
    assert not spinning_server.disturbed_by(flood)  # ... but this one spins itself: that is why
    assert spinning_server.disturbed_by(crowd)  # what the runs share still counts
    crashed = ran("lab3", (0, 2), result("lab3", -6))
    runaway = ran("lab3", (0, 2), result("lab3", 137, runaway="it printed over 16 MiB"))
    assert quiet_fail.disturbed_by(crowd) and crashed.disturbed_by(crowd)
    assert not crashed.suspect  # a death by a signal: its memory and processes are its own
    assert not runaway.suspect  # stopped for what it did itself


def test_a_file_left_in_tmp_holds_nothing_the_runs_share():
    # "left 1 file(s) in /tmp that are not its sockets" ends in " sockets": grade once matched
    # sentence endings, so such a run made every failure beside it run again. It decides by member.
    litter = ran("lab3", (0, 2), result("lab3", removed=1))
    assert [m.kind for m in litter.misdeeds] == [Misbehaviour.LEFT_FILES] and not litter.holds
    quiet_fail = ran("lab3", (0, 2))
    assert not quiet_fail.disturbed_by(litter)  # its file stayed in its own sandbox
    crowd = ran("lab1", (1, 3), result("lab1", trace=CROWD))
    assert crowd.holds == {"made 77 sockets"} and quiet_fail.disturbed_by(crowd)


def test_each_misbehaviour_says_whether_it_goes_through_the_services():
    shared = {m for m in Misbehaviour if m.through_services}
    assert shared == {Misbehaviour.MANY_SOCKETS, Misbehaviour.FLOODED_SERVICES}


def test_a_learner_whose_run_held_the_services_waits_for_the_end():
    todo = [Entry(name, LAB["lab3"]) for name in ("mallory", "mallory", "alice", "bob")]
    grader = SimpleNamespace(noisy={"mallory"}, hung=set(), left_for_a_time_limit=lambda todo: 0)
    assert scheduler.Grader.next_of(grader, todo) == 2  # alice first
    assert scheduler.Grader.next_of(grader, todo[:2]) == 0  # only mallory is left: her turn
    grader.hung = {"bob"}  # his run hung: his next one goes first, to wait beside the others' work
    assert scheduler.Grader.next_of(grader, todo) == 3
    grader.hung = {"bob", "mallory"}  # ... unless he held the services too: the end, as before
    grader.noisy = {"mallory", "bob"}
    assert scheduler.Grader.next_of(grader, todo) == 2
    # ... until what is left of the others' work is no more than one time limit's worth: then the
    # noisy ones start too (a hang of theirs waits beside that work, not after it).
    grader.left_for_a_time_limit = lambda todo: 1
    assert scheduler.Grader.next_of(grader, todo) == 0  # mallory hung before: hers first
    pace = SimpleNamespace(started=time.monotonic() - 10, first=20, noisy={"mallory"})
    assert scheduler.Grader.left_for_a_time_limit(pace, todo) == pytest.approx(
        2 * LAB["lab3"].timeout, rel=0.05
    )
    assert ran(
        "lab2", (0, 20), result("lab2", 124, trace=SOCKET + CONNECT)
    ).suspect  # hung on a peer: it could be


@pytest.mark.parametrize(
    ("trace", "suspect"),
    [
        ([], False),  # a sleep: nothing beside it makes that happen
        (SOCKET, False),  # a socket that reached nobody
        (PORT_BIND + ["1 listen(3, 5) = 0"], False),  # a port thief: the port is its own sandbox's
        (SOCKET + CONNECT, True),  # it waited on a server: a slow one could be why
        (SOCKET + ["1 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 4"], True),  # it served a client
        (SOCKET + RESOLVER, True),  # it waited on the name server
        (NSCD_TRY, False),  # setpriv's user lookup before the interpreter (a sandbox started cold)
    ],
)
def test_a_hang_is_run_again_only_if_it_waited_on_someone(trace, suspect):
    hung = ran("lab2", (0, 20), result("lab2", 124, trace=trace))
    assert hung.suspect is suspect
    # A server lab's run stopped after its checks: the same (a port thief never calls accept()).
    served = ran("lab6", (0, 20), result("lab6", 137, serving=True, trace=trace))
    assert served.suspect is suspect


def test_grade_is_a_command_with_its_own_arguments():
    args = cli.parse(["grade", "class", "--out", "results", "--labs", "lab3,lab6", "--timeout", "9"])
    assert (args.command, args.submissions, args.out, args.labs, args.timeout, args.parallel) == (
        "grade", Path("class"), Path("results"), "lab3,lab6", 9.0, cli.GRADE_PARALLEL,
    )  # fmt: skip
    with pytest.raises(cli.UsageError, match="required: --out"):
        cli.parse(["grade", "class"])
    assert [lab.key for lab in submissions.chosen_labs("lab6, 3,lab3", EVERY)] == ["lab3", "lab6"]
    with pytest.raises(LabError, match="unknown lab 'lab42'"):
        submissions.chosen_labs("lab42", EVERY)


def test_a_stack_error_is_the_environments_tried_once_more_then_an_error_row(monkeypatch):
    calls = {"run": 0, "healthy": 0}
    outcomes = iter([scheduler.stack.StackError("service 'flask' is restarting"), result("lab1")])

    def run_one(lab, file, containers, timeout, session=None, learner=None):
        calls["run"] += 1
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def healthy(services):
        calls["healthy"] += 1
        return {s: "id" for s in services}

    monkeypatch.setattr(scheduler.stack, "require_healthy", healthy)
    monkeypatch.setattr(scheduler.runs, "run_one", run_one)
    grader = scheduler.Grader(["flask", "workbench"], None)
    first = Entry("alice", LAB["lab1"], file=Path("x.py"), status="to grade")
    grader.side_by_side([first], 4, lambda: None)
    assert (first.status, len(first.runs), calls) == ("failed", 1, {"run": 2, "healthy": 2})

    outcomes = iter([scheduler.stack.StackError("down")] * 2)
    second = Entry("bob", LAB["lab1"], file=Path("x.py"), status="to grade")
    grader.side_by_side([second], 4, lambda: None)
    assert (second.status, second.reason, grader.aborted) == ("error", "down", None)


def test_a_stack_that_stays_down_stops_the_grading(monkeypatch):
    def healthy(services):
        if healthy.up:
            healthy.up = False
            return {s: "id" for s in services}
        message = "service 'chat' is exited: run 'docker compose up -d --build --wait'"
        raise scheduler.stack.StackError(message)

    healthy.up = True
    monkeypatch.setattr(scheduler, "HEAL", 0.0)
    monkeypatch.setattr(scheduler.stack, "require_healthy", healthy)
    monkeypatch.setattr(
        scheduler.runs, "run_one", lambda *a: (_ for _ in ()).throw(scheduler.stack.StackError("x"))
    )
    grader = scheduler.Grader(["chat", "workbench"], None)
    mine = [Entry("alice", LAB[k], file=Path("x.py"), status="to grade") for k in ("lab1", "lab3")]
    grader.side_by_side(mine, 1, lambda: None)
    assert grader.aborted and "service 'chat' is exited" in grader.aborted
    assert [e.status for e in mine] == ["error", "to grade"]  # the second was never started


@pytest.mark.parametrize(
    "pair", [("bob", "bob "), ("bob", "Bob"), ("bob", " bob"), ("bob", "ｂｏｂ"), ("caf\u00e9", "cafe\u0301")]
)
def test_learner_folders_that_read_as_one_name_are_refused_not_merged(tmp_path, pair):
    for name in pair:
        (tmp_path / name).mkdir(exist_ok=True)
    if len(list(tmp_path.iterdir())) < 2:
        pytest.skip("one name on this filesystem")
    with pytest.raises(LabError, match="differ only in white space, case or Unicode form"):
        submissions.collect(tmp_path, [], labs.discover(), lambda _: None)


def test_a_grade_output_is_one_entry_in_the_writers_table(tmp_path, monkeypatch):
    monkeypatch.setitem(
        outputs.WRITERS, "names.txt", lambda graded, path: path.write_text(",".join(graded.learners))
    )
    outputs.write_all(outputs.Graded(["ann"], [LAB["lab1"]], [], {}, []), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "grades.csv",
        "grades.json",
        "junit.xml",
        "names.txt",
    ]
    assert (tmp_path / "names.txt").read_text() == "ann"
    assert outputs.OUTPUTS == ("grades.csv", "grades.json", "junit.xml", "pages")


def test_the_bench_reads_where_a_classs_time_went_from_grades_json():
    import grade_spans

    doc = {"results": [
        {"learner": "learner01_solved", "lab": "lab3", "runs": [
            {"at": [0.0, 1.5], "passed": True, "misbehaved": []}]},
        {"learner": "learner02_hostile", "lab": "lab6", "runs": [
            {"at": [0.5, 30.0], "passed": False, "misbehaved": ["stopped at its time limit"]},
            {"at": [30.0, 60.0], "passed": False, "misbehaved": []}]},
        {"learner": "learner03_empty", "lab": "lab3", "runs": []},
    ]}  # fmt: skip
    found = grade_spans.spans(doc)
    assert [(r["kind"], r["lab"], r["attempt"], r["end"]) for r in found] == [
        ("solved", "lab3", 0, 1.5), ("hostile", "lab6", 0, 30.0), ("hostile", "lab6", 1, 60.0)
    ]  # fmt: skip
