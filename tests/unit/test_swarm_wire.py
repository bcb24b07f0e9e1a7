"""grade --swarm's framing: an entry's lines stay below the log driver's 16 KB, come back whole
only when every part is in, and nothing else on the task's output is taken for an entry."""

import os

from lab_runner.grade import swarm_wire


def test_a_big_entry_goes_in_parts_below_16_kb_and_comes_back_whole():
    data = {"page": os.urandom(60000).hex(), "output": "PASS: lab3\n" * 100}
    lines = swarm_wire.frame(7, data)
    assert len(lines) > 1 and all(len(line.encode()) < 16 * 1024 for line in lines)
    frames = swarm_wire.Frames()
    got = [frames.feed(line + "\n") for line in lines]
    assert got[:-1] == [None] * (len(lines) - 1) and got[-1] == (7, data)


def test_an_entry_with_a_part_missing_is_not_taken():
    lines = swarm_wire.frame(3, {"page": os.urandom(40000).hex()})
    frames = swarm_wire.Frames()
    assert [frames.feed(line) for line in lines[:-2] + lines[-1:]] == [None] * (len(lines) - 1)


def test_other_lines_are_not_entries_and_done_is_seen():
    frames = swarm_wire.Frames()
    for line in ("task: 3 entries", "SOCKETLAB-ENTRY x 1 1 abc", "SOCKETLAB-ENTRY 1 1 1 !!notbase64", ""):
        assert frames.feed(line) is None
    assert not frames.done
    frames.feed("SOCKETLAB-DONE 3\n")
    assert frames.done
