"""Faults injected into the exercise's calls (lab 16): lab.toml's [[faults]] are allowlisted
twice (lab_runner/faults.py, and lab-run's fault_options, which builds strace's options), strace's
"(INJECTED)" is read where strace writes it and never in a buffer, and an injected call is an
event of its own kind, reaching no one (no Docker: lab 16's recorded runs)."""

import pytest
from lab_checks import load
from recorded_runs import record
from test_lab_run_counts import lab_run

from lab_runner import labs
from lab_runner.faults import CALLS, ERRNOS, Fault, parse_faults, seen_by
from lab_runner.trace import Trace

GOOD = [
    {"call": "connect", "error": "ECONNREFUSED", "when": "1..3"},
    {"call": "sendto", "error": "ECONNRESET"},
]
BAD = [
    [{"call": "read", "error": "EINTR"}],  # files too: `when` could not be aimed at a socket
    [{"call": "connect", "error": "EPERM"}],
    [{"call": "connect", "error": "ECONNREFUSED", "when": "0"}],
    [{"call": "connect", "error": "ECONNREFUSED", "when": "3..1"}],
    [{"call": "connect", "error": "ECONNREFUSED", "when": "1:signal=KILL"}],  # no free text to strace
    [{"call": "connect:delay_enter=9", "error": "ECONNREFUSED"}],
    [{"call": "connect", "error": "ECONNREFUSED", "retval": "0"}],
    [{"call": "connect", "error": "ECONNREFUSED"}, {"call": "connect", "error": "ETIMEDOUT"}],
    [],
    "connect",
]


def test_lab_toml_faults_are_parsed_and_the_header_carries_them():
    assert parse_faults(GOOD) == (
        Fault("connect", "ECONNREFUSED", "1..3"),
        Fault("sendto", "ECONNRESET", "1"),
    )
    assert [f.header() for f in parse_faults(GOOD)][0] == GOOD[0]


@pytest.mark.parametrize("raw", BAD, ids=range(len(BAD)))
def test_anything_off_the_allowlist_is_refused_by_both(raw):
    with pytest.raises(ValueError):
        parse_faults(raw)
    with pytest.raises(ValueError):
        lab_run().fault_options(raw)


def test_lab_run_turns_faults_into_strace_options_and_keeps_their_allowlists():
    run = lab_run()
    assert run.fault_options(GOOD) == [
        "-e", "inject=connect:error=ECONNREFUSED:when=1..3", "-e", "inject=sendto:error=ECONNRESET:when=1",
    ]  # fmt: skip
    assert set(CALLS) == run.FAULT_CALLS and set(ERRNOS) == run.FAULT_ERRNOS
    cmd = run.strace_command(1000001, run.fault_options(GOOD), "/run/lab/trace-faults")
    assert "setpriv" not in cmd and cmd[cmd.index("-o") + 1] == "/run/lab/trace-faults"
    assert "setpriv" in run.strace_command(1000001)  # without faults: as before
    traced = [cmd[n + 1] for n, arg in enumerate(cmd) if arg == "-e" and cmd[n + 1].startswith("trace=")]
    assert traced == [f"{run.TRACED},clock_nanosleep,nanosleep"]  # a backoff's sleeps, seen
    assert f"{run.TRACED}" in run.strace_command(1000001)  # the sleeps only for a lab with faults


LINES = [  # strace 6.1, -f -y -ttt -T, as lab-run passes them on
    '7 1.0 connect(3<socket:[11]>, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("10.0.0.2")},'
    " 16)"
    " = -1 ECONNREFUSED (Connection refused) (INJECTED) <0.000007>",
    '7 1.1 sendto(3<socket:[11]>, "(INJECTED)", 10, 0, NULL, 0) = 10 <0.000020>',
    '7 1.2 sendto(3<socket:[11]>, "x) = -1 ECONNRESET (Connection reset by peer) (INJECTED)", 56, 0, NULL, 0)'
    " = 56 <0.000020>",
    '7 1.3 sendto(3<socket:[11]>, "x) = -1 ECONNRESET (Connection r"..., 56, 0, NULL, 0)'
    " = -1 ECONNRESET (Connection reset by peer) (INJECTED) <0.000005>",
    "7 1.4 recvfrom(3<socket:[11]>, 0x7ff11785a720, 100, 0, NULL, NULL)"
    " = -1 EINTR (Interrupted system call) (INJECTED) <0.000005>",
    '7 1.5 recvfrom(3<socket:[11]>, "a) = 1 (INJECTED)", 100, 0, NULL, NULL) = 17 <0.000005>',
    '7 1.6 sendto(3<socket:[11]>, "hi", 2, 0, NULL, 0 <unfinished ...>',
    "7 1.7 <... sendto resumed>) = 2 (INJECTED) <0.000005>",
]


def test_injected_is_read_after_the_result_never_in_a_buffer():
    calls = Trace.parse(LINES).calls
    assert [c.injected for c in calls] == [True, False, False, True, True, False, True]
    assert [c.ret for c in calls] == [-1, 10, 56, -1, -1, 17, 2]
    assert str(calls[0]).endswith("= -1 ECONNREFUSED (INJECTED)")


def test_the_starters_injected_connect_is_a_fault_event_with_no_packet_and_no_arrow():
    rec, _ = record("lab16-starter")
    faults = [e for e in rec["events"] if e["kind"] == "fault"]
    assert [(e["of"], e["errno"], e["injected"], e["to"]) for e in faults] == [
        ("connect", "ECONNREFUSED", True, "flask")
    ]
    assert not [e for e in rec["events"] if e["kind"] in ("packet", "connect", "error")]
    assert "never reached the kernel" in rec["capture"]


def test_the_solutions_faults_refusals_eintr_and_reset_each_an_event_of_their_own():
    rec, _ = record("lab16-solution")
    faults = [(e["of"], e["errno"]) for e in rec["events"] if e["kind"] == "fault"]
    assert faults == [("connect", "ECONNREFUSED")] * 3 + [("recvfrom", "EINTR"), ("sendto", "ECONNRESET")]
    reset = next(e for e in rec["events"] if e["kind"] == "fault" and e["errno"] == "ECONNRESET")
    assert reset["to"] == "chat"
    # the line whose send was reset never crossed: no packet of its length on that lane after it
    syn_ports = {e["src"] for e in rec["events"] if e["kind"] == "packet" and e["flags"] == "SYN"}
    assert len(syn_ports) == 3  # flask's one real connect, chat's two: none for the refused three


def test_no_packet_is_drawn_from_a_socket_whose_connect_was_injected():
    rec, _ = record("lab16-solution")
    refused = {e["lane"] for e in rec["events"] if e["kind"] == "fault" and e["of"] == "connect"}
    drawn = {e[end] for e in rec["events"] if e["kind"] == "packet" for end in ("from", "to")}
    assert len(refused) == 3 and not refused & drawn
    assert all("local" not in lane for lane in rec["lanes"] if lane["id"] in refused)


def test_a_when_may_name_a_value_and_each_learner_gets_their_own():
    raw = [{"call": "connect", "error": "ECONNREFUSED", "when": "1..{{refused}}"}]
    mine = parse_faults(raw, keys=["refused"])
    assert seen_by(mine, {"refused": 3}) == (Fault("connect", "ECONNREFUSED", "1..3"),)
    with pytest.raises(ValueError, match="no key of"):
        parse_faults(raw)  # {{refused}} names no key of this lab's [values]
    with pytest.raises(ValueError):
        seen_by(mine, {"refused": 0})  # 1..0 is no when: checked again once said
    assert seen_by((), {"refused": 3}) == ()  # a lab without faults (every other lab)
    assert all(
        seen_by(lab.faults, lab.values_of("alice")) == () for lab in labs.discover() if lab.key != "lab16"
    )
    lab16 = labs.resolve("lab16")
    assert {f.when for f in lab16.faults} >= {"1..{{refused}}"}
    assert "1..4" in {f.when for f in seen_by(lab16.faults, {"refused": 4, "lines": 9})}


def tries(gaps, slept, name="clock_nanosleep", sleeper=7, late=None):
    """A trace of connect()s to flask GAPS apart, each refused but the last, with a sleep right
    after each refusal by thread SLEEPER that asked for SLEPT and woke LATE after that (strace's
    -T says both); and the connect()s. time.sleep's clock_nanosleep asks for a deadline on the
    monotonic clock, here 1000 s behind strace's times."""
    lines, at, late = [], 2000.0, late or [0.0001] * len(gaps)
    connect = (
        "7 {:.6f} connect({}<socket:[1{}]>, {{sa_family=AF_INET, sin_port=htons(5000), "
        'sin_addr=inet_addr("10.0.0.2")}}, 16) = {} <0.000007>'
    )
    for n, gap in enumerate(gaps):
        lines.append(connect.format(at, 3, n, "-1 ECONNREFUSED (Connection refused) (INJECTED)"))
        if slept:
            deadline = at + 0.001 - 1000 + slept[n]
            args = {
                "clock_nanosleep": "CLOCK_MONOTONIC, TIMER_ABSTIME, "
                f"{{tv_sec={int(deadline)}, tv_nsec={round(deadline % 1 * 1e9)}}}, NULL",
                "nanosleep": f"{{tv_sec=0, tv_nsec={round(slept[n] * 1e9)}}}, NULL",
                "epoll_wait": f"4<anon_inode:[eventpoll]>, [], 1, {round(slept[n] * 1000)}",
            }[name]
            lines.append(f"{sleeper} {at + 0.001:.6f} {name}({args}) = 0 <{slept[n] + late[n]:.6f}>")
        at += gap
    lines.append(connect.format(at, 3, len(gaps), "0"))
    trace = Trace.parse(lines)
    return trace.calls, [c for c in trace.calls if c.name == "connect"]


def rounded(waits):
    return [round(w, 2) for w in waits]


def test_a_backoffs_waits_are_what_it_asked_to_sleep_so_a_loaded_machine_does_not_fail_it():
    checks = load("16_faults", "test_faults")
    # CI's failed run of the reference: it asked for 0.1, 0.2, 0.4 s; a stall made its first
    # sleep wake 0.216 s late; its tries came 0.317, 0.203, 0.427 s apart.
    calls, tried = tries([0.317, 0.203, 0.427], [0.1, 0.2, 0.4], late=[0.216, 0.002, 0.026])
    waits = checks.waits(calls, tried)
    assert rounded(waits) == [0.1, 0.2, 0.4] and waits[-1] >= checks.GROWTH * waits[0]
    # A sleep on another clock (CLOCK_REALTIME, strace's own) has an offset of its own.
    other = Trace.parse(["9 2000.500000 clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, "
                         "{tv_sec=2000, tv_nsec=600000000}, NULL) = 0 <0.100050>"]).calls  # fmt: skip
    assert rounded(checks.waits([*calls, *other], tried)) == [0.1, 0.2, 0.4]
    assert round(checks.asked(other)[id(other[0])], 3) == 0.1
    calls, tried = tries([0.317, 0.203, 0.427], [])  # no sleep the trace shows: the time passed
    assert rounded(checks.waits(calls, tried)) == [0.32, 0.2, 0.43]
    calls, tried = tries([0.12, 0.21, 0.41], [0.1, 0.2, 0.4], "nanosleep", late=[0.01, 0.01, 0.01])
    assert rounded(checks.waits(calls, tried)) == [0.1, 0.2, 0.4]
    calls, tried = tries(
        [0.12, 0.21, 0.41], [0.1, 0.2, 0.4], "epoll_wait"
    )  # asyncio.sleep's: as long as it took
    assert rounded(checks.waits(calls, tried)) == [0.1, 0.2, 0.4]


def test_a_fixed_delay_stalled_by_the_machine_still_does_not_grow():
    checks = load("16_faults", "test_faults")
    # A stall of 0.16 s before its last try, in the sleep itself (a late wake-up)
    calls, tried = tries([0.1, 0.1, 0.26], [0.1, 0.1, 0.1], late=[0.0001, 0.0001, 0.16])
    waits = checks.waits(calls, tried)
    assert waits[-1] < checks.GROWTH * waits[0]  # the time alone (0.26 / 0.1) would have passed it
    # A sleep never counts for more than the time that passed.
    calls, tried = tries([0.05, 0.05, 0.05], [0.2, 0.2, 0.2])
    assert rounded(checks.waits(calls, tried)) == [0.05, 0.05, 0.05]
    # Another thread's sleeps are not this loop's waits: a fixed delay beside a thread that sleeps
    # a little, then longer, is judged by its own time (which does not grow).
    calls, tried = tries([0.1, 0.1, 0.1], [0.05, 0.05, 0.1], sleeper=8)
    waits = checks.waits(calls, tried)
    assert rounded(waits) == [0.1, 0.1, 0.1] and waits[-1] < checks.GROWTH * waits[0]
