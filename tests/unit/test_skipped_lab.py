"""A lab this machine cannot run (lab 15's lossy link on a kernel without nft's numgen) is
skipped, never failed: lab-run says "C nolink <why>" and runs nothing; the run raises
stack.Skipped; the CLI says so in one line and exits 5; among other labs it is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab_runner import cli, labs, learner, lossy_link, runs, stack
from lab_runner.running import Running

NO_NUMGEN = "Error: Could not process rule: No such file or directory"


def test_lab_run_saying_nolink_skips_the_run(tmp_path: Path):
    exercise = tmp_path / "x.py"
    exercise.write_text("pass\n")
    run = Running("workbench-id", exercise, tmp_path, "lab15-0123456789ab", 10)
    run._control(f"C nolink {NO_NUMGEN}")
    run.ready.set()  # lab-run ended: its stream closed
    with pytest.raises(stack.Skipped, match="cannot drop packets at random"):
        run.wait()


def test_the_header_carries_the_labs_link_and_no_other_lab_has_one():
    lab15 = labs.resolve("lab15")
    assert lossy_link.header(lab15.link) == {"port": 9915, "drop": 30}
    assert lossy_link.header(labs.resolve("lab3").link) is None


@pytest.mark.parametrize(
    "link", ["port = 9915", "port = 9915\ndrop = 100", "port = 0\ndrop = 30", 'port = "x"\ndrop = 3']
)
def test_a_wrong_link_is_refused(tmp_path: Path, link: str):
    folder = tmp_path / "15_loss"
    folder.mkdir()
    toml = (labs.resolve("lab15").folder / "lab.toml").read_text()
    (folder / "lab.toml").write_text(toml.replace("port = 9915\ndrop = 30\n", link + "\n"))
    with pytest.raises(labs.LabError, match=r"\[link\]"):
        labs.load(folder)


def test_the_cli_says_skipped_in_one_line_and_exits_5(monkeypatch, capsys):
    def skip(*args, **kwargs):
        raise stack.Skipped(f"lab15 skipped: this kernel cannot drop packets at random (nft: {NO_NUMGEN})")

    monkeypatch.setattr(learner, "check", skip)
    assert cli.main(["lab15", "--solution"]) == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lab_runner: lab15 skipped: this kernel cannot drop")


def test_among_other_labs_a_skipped_one_is_left_out(monkeypatch, capsys):
    lab3, lab15 = labs.resolve("lab3"), labs.resolve("lab15")
    done = object()

    def run_one(lab, *args):
        if lab is lab15:
            raise stack.Skipped("this kernel cannot drop packets at random (nft: no numgen)")
        return done

    monkeypatch.setattr(stack, "require_healthy", lambda wanted: {})
    monkeypatch.setattr(runs, "run_one", run_one)
    results = learner.check([lab3, lab15], [Path("a"), Path("b")], session=None)  # type: ignore[arg-type]
    assert results == [done]
    assert (
        capsys.readouterr().err
        == "lab_runner: lab15 skipped: this kernel cannot drop packets at random (nft: no numgen)\n"
    )
    with pytest.raises(stack.Skipped, match="lab15 skipped"):
        learner.check([lab15], [Path("b")], session=None)  # type: ignore[arg-type]
