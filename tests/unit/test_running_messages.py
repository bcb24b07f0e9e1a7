"""What lab-run says, line by line, and what a run makes of it (running.TAGS and CONTROL):
lines recorded from real runs (tests/fixtures/lab-run-lines.txt: lab 3's solution, and the
first packets of lab 2's), and the rarer kinds written as lab-run's say() writes them."""

from __future__ import annotations

import base64
from pathlib import Path

from lab_runner import running
from lab_runner.running import Running

RECORDED = (Path(__file__).parents[1] / "fixtures" / "lab-run-lines.txt").read_text().splitlines()


def a_run(tmp_path: Path) -> Running:
    exercise = tmp_path / "x.py"
    exercise.write_text("pass\n")
    run = Running("workbench-id", exercise, tmp_path, "lab3-0123456789ab", 10)  # no engine until entered
    run.started = 0.0  # __enter__'s, when it claims the sandbox
    return run


def test_a_recorded_run_is_read_into_its_result(tmp_path):
    run = a_run(tmp_path)
    for line in RECORDED:
        run._control(line)
    ran = run.result()
    assert (ran.exit_code, ran.sent_bytes, ran.sends, ran.removed) == (0, 124, 2, 0)
    assert run.ready.is_set() and ran.started_at == 1796467760.721427
    assert len(ran.trace) == 6 and ran.trace[0].startswith("22    1796467760.734418 socket(AF_UNIX")
    assert len(ran.packets) == 3 and "Flags [S]" in ran.packets[0]
    assert [s.peer for s in ran.calls.of("AF_UNIX", "SOCK_DGRAM")] == ["/dev/log"]


def test_every_kind_lab_run_says_has_a_handler_and_others_are_let_be(tmp_path):
    run = a_run(tmp_path)
    for line in [
        "E strace: cannot trace", "C stopped 7 python3 exercise.py", "C runaway it printed over 16 MiB",
        "C nocapture ", "P 1.0 eth0 Out IP a > b: Flags [S]", "C packets 9", "C skipped 10",
        "C tail " + base64.b64encode(b"the end\n").decode(), "C serving 12345",
        "C claimed 0123", "C a-new-kind 1", "exit 3", "T", "C captured",
    ]:  # fmt: skip
        run._control(line)
    ran = run.result()
    assert ran.notes == ["strace: cannot trace"] and ran.stopped == ["7 python3 exercise.py"]
    assert ran.runaway == "it printed over 16 MiB" and ran.capture == "9 packets, the first 1 kept"
    assert ran.serving and ran.exit_code is None  # an untagged "exit 3" is no control line
    assert ran.captured and not a_run(tmp_path).result().captured
    assert "the end" in ran.output and ran.output_dropped == 10
    assert ran.trace == [""]
    run._control("C unwalled no nft")
    assert run.error == "the sandbox could not wall itself off from other runs (nft: no nft)"
    run._control("C garbled")
    assert run.error == "the exercise's source did not reach its sandbox whole"
    run._control("C unresolved chat")
    assert run.error == "the sandbox could not resolve chat"
    run._control("C nolink Error: Could not process rule: No such file or directory")
    assert run.skipped == "Error: Could not process rule: No such file or directory"
    said = {"exit", "serving", "stopped", "garbled", "unwalled", "runaway", "started", "nocapture",
            "packets", "removed", "sent", "skipped", "tail", "nolink", "captured", "unresolved"}  # fmt: skip
    assert set(running.CONTROL) == said and set(running.TAGS) == {"T", "P", "E"}


def test_lab_run_says_no_kind_the_runner_does_not_read():
    # lab-run's say() calls, read from its source: each control word has a handler (or is the claim's).
    source = (Path(__file__).parents[2] / "images" / "workbench" / "lab-run").read_text()
    import re

    words = set(re.findall(r'say\(b"C", f?b?"(\w+)', source)) | set(re.findall(r'say\(b"C", b"(\w+)', source))
    assert words - {"claimed"} <= set(running.CONTROL), words
