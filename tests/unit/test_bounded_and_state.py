"""What lab_runner keeps of a flood of output, and what it remembers for the learner."""

from lab_runner import commands, state
from lab_runner.bounded import Bounded


def test_a_flood_keeps_its_head_and_tail_and_says_how_much_was_dropped():
    kept = Bounded(keep=10)
    for n in range(1000):
        kept.add(f"{n:04d}\n".encode())
    text = kept.text()
    assert text.startswith("0000\n0001\n") and text.endswith("0998\n0999\n")
    assert kept.dropped == 5000 - 20 and f"[... {5000 - 20:,} bytes of output not kept ...]" in text
    assert len(kept.head) + sum(map(len, kept.tail)) < 100  # memory stays bounded


def test_little_output_is_kept_whole():
    kept = Bounded(keep=10)
    kept.add(b"hello ")
    kept.add(b"world, again")
    assert kept.text() == "hello world, again" and kept.dropped == 0


def test_hints_are_revealed_one_more_each_time_and_remembered(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_RUNNER_STATE", str(tmp_path / "state.json"))
    assert state.hints_shown("03_dev_log", 2) == 1  # the report shows the first one
    assert [state.reveal_hint("03_dev_log", 2, 3) for _ in range(4)] == [2, 3, 3, 3]
    assert state.hints_shown("03_dev_log", 2) == 3 and state.hints_shown("03_dev_log", 1) == 1
    exercise = tmp_path / "exercise.py"
    exercise.write_text("x")
    state.record("03_dev_log", passed=False, steps_passed=1, steps_total=2, failing_step=2, token="t",
                 exercise=exercise)  # fmt: skip
    entry = state.load()["03_dev_log"]
    assert entry["hints"] == {"2": 3} and entry["exercise"] == state.fingerprint(exercise)


def test_an_unreadable_state_file_is_no_progress_not_a_crash(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    path.write_text("{not json")
    monkeypatch.setenv("LAB_RUNNER_STATE", str(path))
    assert state.load() == {}


def test_reset_puts_the_starter_back_byte_for_byte_and_keeps_the_learners_file(tmp_path, monkeypatch, capsys):
    lab_dir = tmp_path / "labs" / "03_dev_log"
    (lab_dir / "checks").mkdir(parents=True)
    (lab_dir / "lab.toml").write_text(
        'name = "dev_log"\ntitle = "t"\nconcepts = ["c"]\nservices = ["rsyslog"]\n'
        '[[steps]]\ntitle = "s"\ngoal = "g"\nchecks = ["test_a"]\nhints = ["h"]\n'
    )
    starter = b"# starter\r\nprint('\xc3\xa9')\n"
    (lab_dir / ".starter.py").write_bytes(starter)
    (lab_dir / "exercise.py").write_text("my work\n")
    monkeypatch.setattr(commands.labs, "LABS_DIR", tmp_path / "labs")
    monkeypatch.setattr(commands, "BACKUPS", tmp_path / ".lab-backups")
    monkeypatch.setattr(commands, "ROOT", tmp_path)

    class Args:
        lab = "lab3"

    for _ in range(2):  # twice: the second backup must not overwrite the first
        (lab_dir / "exercise.py").write_text("my work\n")
        assert commands.cmd_reset(Args()) == 0
    assert (lab_dir / "exercise.py").read_bytes() == starter
    kept = sorted((tmp_path / ".lab-backups" / "03_dev_log").iterdir())
    assert len(kept) == 2 and all(p.read_text() == "my work\n" for p in kept)
    out = capsys.readouterr().out
    assert (
        "is the shipped starter again" in out
        and "your previous file is kept: .lab-backups/03_dev_log/" in out
    )
    assert commands.cmd_reset(Args()) == 0
    assert "is the shipped starter already; nothing changed" in capsys.readouterr().out
