"""Hints follow the evidence: the first failing check's own hints, the trace's errors, the step's."""

import dataclasses

from lab_runner import hints, labs
from lab_runner.checks import CheckResult
from lab_runner.labs import Step
from lab_runner.trace import Trace

STEP = Step("two", "goal", ("test_a", "test_b"), ("step hint 1", "step hint 2"),
            check_hints=(("test_b", ("b's own hint",)),))  # fmt: skip
REFUSED = Trace.parse([
    "7 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3",
    '7 connect(3, {sa_family=AF_INET, sin_port=htons(5001), sin_addr=inet_addr("172.18.0.3")}, 16)'
    " = -1 ECONNREFUSED (Connection refused)",
])  # fmt: skip
SPIN_LINES = [
    "7 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3",
    '7 accept4(3, {sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr("127.0.0.1")}, [16], 0) = 4',
    '7 recvfrom(4, "", 1024, 0, NULL, NULL) = 0',
    '7 recvfrom(4, "", 1024, 0, NULL, NULL) = 0',
]
SPIN = Trace.parse(SPIN_LINES)


def lab(step=STEP, goal="goal", expected=()):
    one = Step("one", goal, ("test_0",), ("first",), expected_errors=expected)
    return labs.Lab(3, "x", "X", ("flask",), (one, step), 5.0, folder=None)  # type: ignore[arg-type]


def results(*failing):
    return [CheckResult(n, 2, n not in failing, "why") for n in ("test_a", "test_b")]


def test_the_first_failing_checks_own_hints_come_first_then_the_steps():
    assert hints.for_step(lab(), STEP, results("test_b"), Trace.parse([])) == [
        "b's own hint", "step hint 1", "step hint 2",
    ]  # fmt: skip
    assert hints.for_step(lab(), STEP, results("test_a", "test_b"), Trace.parse([]))[0] == "step hint 1"


def test_an_error_in_the_trace_leads_to_the_hint_that_explains_it():
    shown = hints.for_step(lab(), STEP, results("test_a"), REFUSED)
    assert shown[0].startswith("connect() = -1 ECONNREFUSED: nothing listens"), shown
    assert shown[1:] == ["step hint 1", "step hint 2"]


def test_an_error_the_lab_makes_on_purpose_is_not_explained_as_a_mistake():
    on_purpose = lab(goal="a closed port refuses: connect() = -1 ECONNREFUSED", expected=("ECONNREFUSED",))
    assert hints.for_step(on_purpose, STEP, results("test_a"), REFUSED) == ["step hint 1", "step hint 2"]
    # lab.toml's expected_errors decides, never the lab's words: an errno only named is still explained
    named_only = lab(goal="a closed port refuses: connect() = -1 ECONNREFUSED")
    assert hints.for_step(named_only, STEP, results("test_a"), REFUSED)[0].startswith("connect() = -1 ECONN")


def test_reading_again_after_the_end_of_the_stream_is_explained_once_the_first_zero_is_not():
    assert hints.explain(SPIN.sockets)[0].startswith("recvfrom() returned 0 bytes: that is the end")
    assert hints.explain(Trace.parse(SPIN_LINES[:3]).sockets) == []


def test_lab_toml_check_hints_are_read_and_checked(tmp_path):
    folder = tmp_path / "03_x"
    (folder / "checks").mkdir(parents=True)
    body = (
        'name = "x"\ntitle = "X"\nconcepts = ["c"]\nservices = ["flask"]\n'
        '[[steps]]\ntitle = "t"\ngoal = "g"\nchecks = ["test_a", "test_b"]\nhints = ["h"]\n'
        '[steps.check_hints]\ntest_b = ["own"]\n'
    )
    (folder / "lab.toml").write_text(body)
    step = labs.load(folder).steps[0]
    assert step.hints_of("test_b") == ("own",) and step.hints_of("test_a") == ()
    (folder / "lab.toml").write_text(body.replace("test_b = [", "test_c = ["))
    try:
        labs.load(folder)
    except labs.LabError as err:
        assert "names checks of this step, not test_c" in str(err)
    else:
        raise AssertionError("a hint for a check the step does not have was accepted")
    assert dataclasses.is_dataclass(step)


def test_reading_past_the_end_is_explained_only_for_a_step_about_the_end_of_the_stream():
    assert hints.for_step(lab(), STEP, results("test_a"), SPIN) == ["step hint 1", "step hint 2"]
    about = dataclasses.replace(STEP, goal='stop reading once recv() returns b""')
    assert hints.for_step(lab(about), about, results("test_a"), SPIN)[0].startswith("recvfrom() returned 0")


# Outputs and trace lines as real runs of lab 1 gave them (lab_runner lab1 --exercise ... --json).
NO_ENCODE = (
    'Traceback (most recent call last):\n  File "noencode.py", line 4, in <module>\n'
    "    s.send(f\"hello-{token}\")\nTypeError: a bytes-like object is required, not 'str'\n"
)
NO_TERMINAL = (
    'your name: Traceback (most recent call last):\n  File "eof.py", line 1, in <module>\n'
    "EOFError: EOF when reading a line\n"
)
AT_HOME = Trace.parse([
    "22 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3",
    '22 connect(3, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("127.0.0.1")}, 16)'
    " = -1 ECONNREFUSED (Connection refused)",
])  # fmt: skip


def test_a_crash_is_named_first_with_its_line_and_what_it_means_here():
    said = hints.for_step(lab(), STEP, [CheckResult("test_a", 2, False)], Trace.parse([]), NO_ENCODE)
    assert said[0].startswith("your program crashed with TypeError: a bytes-like object is required")
    assert "(noencode.py, line 4)" in said[0] and ".encode()" in said[0]
    eof = hints.for_step(lab(), STEP, [CheckResult("test_a", 2, False)], Trace.parse([]), NO_TERMINAL)
    assert "EOFError" in eof[0] and "no terminal" in eof[0]  # the prompt has no line end before it
    assert hints.crash("all went well\n") is None


def test_localhost_refused_is_told_it_is_the_sandbox_not_the_server():
    said = hints.for_step(lab(), STEP, [CheckResult("test_a", 2, False)], AT_HOME)
    assert said[0].startswith("connect() to 127.0.0.1:5000 was refused: inside the sandbox, localhost is")
    assert "connect(('flask', 5000))" in said[0]
    elsewhere = hints.for_step(lab(), STEP, [CheckResult("test_a", 2, False)], REFUSED)
    assert not any("localhost" in h for h in elsewhere)  # refused by another host: not this hint


def test_localhost_refused_on_a_port_the_program_served_itself_is_not_that_hint():
    served = Trace.parse([
        "22 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 4",
        '22 bind(4, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        *AT_HOME_LINES,
    ])  # fmt: skip
    assert not hints.refused_at_home(served.learners(), ["flask"])


AT_HOME_LINES = [
    "22 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3",
    '22 connect(3, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("127.0.0.1")}, 16)'
    " = -1 ECONNREFUSED (Connection refused)",
]


def test_the_first_failing_check_names_the_crash():
    from lab_runner.verdict import named_crash

    results = [CheckResult("test_0", 1, True), CheckResult("test_a", 2, False, "no line was sent")]
    named = named_crash(results, NO_ENCODE)
    assert named[0] == results[0]
    assert named[1].reason.startswith("your program crashed: TypeError: a bytes-like object is required")
    assert named[1].reason.endswith("; no line was sent")
    assert named_crash(results, "fine\n") == results


def test_localhost_refused_where_the_lab_refuses_on_purpose_is_not_that_hint():
    assert not hints.refused_at_home(AT_HOME.learners(), ["chat"], expected="connect fails with ECONNREFUSED")
    port_0 = Trace.parse([
        "22 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 4",
        '22 bind(4, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '22 getsockname(4, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("127.0.0.1")},'
        " [16]) = 0",
        *AT_HOME_LINES,
    ])  # fmt: skip
    assert not hints.refused_at_home(port_0.learners(), ["flask"])  # its own port 0 listener, closed


def test_an_errno_a_lab_makes_on_purpose_is_listed_in_lab_toml_not_read_from_its_words():
    # The hints no longer look for an errno's name in the lab's text: a step that speaks of one
    # of the errors the hints explain lists it in expected_errors (lab 8's ECONNREFUSED).
    from lab_runner import labs

    for lab in labs.discover():
        listed = {e for s in lab.steps for e in s.expected_errors}
        for step in lab.steps:
            named = {e for e in hints.ERRORS if e in " ".join((step.goal, *step.hints))}
            assert named <= listed, (
                f"{lab.key}: {step.title}: list {sorted(named - listed)} in expected_errors"
            )
    lab8 = labs.resolve("lab8")
    assert [s.expected_errors for s in lab8.steps][1] == ("ECONNREFUSED",)
