"""Lab 14 on recorded runs: each step's lesson is drawn on its own connection (a `packet FIN` is
the FIN of the socket the step used, never step 1's), and the checks read the packets and the
trace as the lab says (recorded_runs: real runs of the starter and the solution)."""

import pytest
from lab_checks import load
from recorded_runs import exercise, raw, record

from lab_runner import labs, lessons
from lab_runner.calls import RECV

LAB = labs.resolve("lab14")
CHECKS = load("14_closing", "test_closing")


def picked(name: str) -> dict[int, list[dict | None]]:
    rec, _ = record(name)
    events = {e["id"]: e for e in rec["events"]}
    return {n: [events.get(i) for i in ids] for n, ids in lessons.match(LAB, rec).items()}


def test_each_steps_fin_is_its_own_connections_fin():
    steps = picked("lab14-solution")
    assert all(all(steps[n]) for n in steps), "every lesson event of the solution is found"
    for n, sender in ((1, "close"), (2, "shutdown"), (3, "shutdown")):
        items = LAB.steps[n - 1].lesson
        fin = steps[n][items.index("packet FIN")]
        ended = steps[n][items.index(sender)]
        assert fin["from"] == ended["lane"] and fin["t"] >= ended["t"], (n, fin, ended)
    rst = steps[1][LAB.steps[0].lesson.index("packet RST")]
    assert rst["from"] == steps[1][LAB.steps[0].lesson.index("close")]["lane"]  # the client resets the answer


def test_the_starters_later_steps_are_not_drawn_on_step_1s_fin():
    steps = picked("lab14-starter")
    assert all(steps[1]), "the starter draws step 1's whole lesson"
    for n in (2, 3):
        fin = steps[n][LAB.steps[n - 1].lesson.index("packet FIN")]
        assert fin is None, f"step {n}'s packet FIN drawn on another step's connection: {fin}"


class Run:
    def __init__(self, values: dict) -> None:
        self.token, self.values = "", values  # the learner's own, as the run drew them


def judge(name: str, check: str, edit=None) -> str:
    """CHECK of the recorded run NAME (its trace and packets EDITed): '' when it passes, else why."""
    d = raw(name)
    ran = exercise(d)
    if edit:
        ran.packets = edit(ran.packets)
    func = getattr(CHECKS, check)
    args = {"exercise": ran, "live": lambda: ran, "token": d["token"], "run": Run(d.get("values", {}))}
    try:
        func(**{k: v for k, v in args.items() if k in func.__code__.co_varnames})
    except AssertionError as err:
        return str(err)
    return ""


PACKET_CHECKS = [
    ("lab14-starter", "test_the_answer_that_came_after_close_was_reset"),
    ("lab14-solution", "test_the_server_answered_only_after_your_fin"),
    ("lab14-solution", "test_it_ended_the_connection_first_with_no_rst"),
]


@pytest.mark.parametrize(("name", "check"), PACKET_CHECKS)
def test_the_packet_checks_pass_on_the_recorded_runs(name, check):
    assert judge(name, check) == ""


def test_a_reset_on_the_servers_connection_fails_step_3():
    port = raw("lab14-solution")["values"]["port"]

    def reset(lines):  # the server's FIN on its port becomes an RST, as close() with bytes unread sends
        return [line.replace("[F.]", "[R.]", 1) if f".{port} > " in line else line for line in lines]

    said = judge("lab14-solution", "test_it_ended_the_connection_first_with_no_rst", reset)
    assert "an RST went from the server's port" in said


def test_packets_without_the_connections_start_cannot_be_judged():
    said = judge("lab14-solution", "test_the_server_answered_only_after_your_fin", lambda lines: [])
    assert "the capture holds no SYN" in said


def test_a_late_rst_is_waited_for_not_judged_absent():
    """A check that read the packets before tcpdump had printed an RST would judge it absent.
    It waits for lab-run's word that the capture reached the exercise's end (`captured`)."""
    d = raw("lab14-solution")
    port = d["values"]["port"]
    whole = exercise(d)
    whole.packets = [
        line.replace("[F.]", "[R.]", 1) if f".{port} > " in line else line for line in whole.packets
    ]
    behind = exercise(d)  # the same run, while its last lines were still on their way
    behind.packets, behind.captured = [line for line in whole.packets if "[R.]" not in line], False
    seen = iter([behind, behind, behind])
    said = judge_run(d, behind, "test_it_ended_the_connection_first_with_no_rst", lambda: next(seen, whole))
    assert "an RST went from the server's port" in said


@pytest.mark.parametrize(
    "check",
    ["test_it_ended_the_connection_first_with_no_rst", "test_the_server_answered_only_after_your_fin"],
)
def test_a_capture_that_never_catches_up_judges_nothing(check, monkeypatch):
    monkeypatch.setattr("lab_runner.capture.WHOLE_WAIT", 0.1)
    d = raw("lab14-solution")
    behind = exercise(d)
    behind.captured = False
    assert "had not caught up" in judge_run(d, behind, check)


def test_a_clean_ending_by_luck_fails_step_3():
    """shutdown(SHUT_WR), then close() at once: when the talker's FIN lands between the two, the
    kernel has already put the connection in TIME_WAIT and close() sends no RST (CI met it). The
    packets are then clean; the trace shows the server never read to the end."""
    d = raw("lab14-solution")
    assert judge_run(d, exercise(d), "test_it_ended_the_connection_first_with_no_rst") == ""
    lucky = exercise(d)
    (conn, *_) = CHECKS.on_port(lucky.calls, d["token"], Run(d["values"]))
    eofs = [c for c in conn.server.calls if c.name in RECV and c.ret == 0]
    assert eofs, "the recorded solution reads to the end"
    for call in eofs:  # the same run, had its server closed without reading the talker's end
        conn.server.calls.remove(call)
    said = judge_run(d, lucky, "test_it_ended_the_connection_first_with_no_rst")
    assert "only because the talker happened to end first" in said


def judge_run(d: dict, ran, check: str, live=None) -> str:
    """CHECK of the recorded run D, as RAN (its trace) and LIVE (its packets as they come) give it."""
    try:
        getattr(CHECKS, check)(
            exercise=ran, live=live or (lambda: ran), token=d["token"], run=Run(d["values"])
        )
    except AssertionError as err:
        return str(err)
    return ""
