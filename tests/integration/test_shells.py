"""Commands through a shell kept open in a container say what an exec of each says: the same
output, errors and exit status, in a service's container and in a run's sandbox."""

from __future__ import annotations

import pytest

from lab_runner import stack
from lab_runner.shells import ENV, MAX_SHELLS, WORKDIR, Shells

COMMANDS = [
    "true",
    "exit 3",  # the read_command's UNSTABLE: the command's subshell ends, not the shell
    "printf 'no newline at the end'",
    "printf 'two newlines\\n\\n'",
    "printf '\\000\\001\\377 binary'",
    "head -c 200000 /dev/zero | tr '\\0' x",  # longer than one frame of the stream
    "cd /tmp && pwd; echo $HOME $PATH",  # where it runs, and with what: as an exec with shells.ENV
    "echo to stderr >&2; echo to stdout",
    "grep -c . /etc/hostname; false",
    "ls /nonexistent",  # lab 5 shows ls's error when the socket file is not there
    "cat; echo read it all",  # its stdin is empty, as an exec's: never the shell's next command
    "echo a; echo b >&2; echo c; echo d >&2; exit 7",
]


@pytest.fixture
def shells():
    opened = Shells()
    yield opened
    opened.close()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_through_a_shell_says_what_an_exec_says(shells, command):
    rsyslog = stack.container_id("rsyslog")
    plain = stack.engine().exec(rsyslog, ["/bin/sh", "-c", command], workdir=WORKDIR, env=ENV)
    for _ in range(2):  # the second time through the same shell, which the first left as it was
        done = shells.run(rsyslog, command, timeout=10)
        assert (done.exit_code, done.stdout, done.stderr) == (plain.exit_code, plain.stdout, plain.stderr)
    assert shells.open[rsyslog] == 1  # one shell took them all, one after the other


def test_in_a_sandbox_a_command_runs_as_root_and_the_exercise_cannot_touch_its_shell(shells):
    from lab_runner import sandbox

    pool = sandbox.Pool()
    box = pool.claim(stack.container_id("workbench"))
    try:
        assert shells.run(box.container, "id -u; pwd", timeout=10).stdout == b"0\n/\n"
        # As the exercise would: another uid, no capability, tries to kill root's shells (found by name).
        tried = shells.run(
            box.container,
            "setpriv --reuid 1234567 --regid 1234567 --clear-groups --inh-caps=-all"
            " sh -c 'kill -9 $(pgrep -x -u 0 sh) 2>&1; echo done'",
            timeout=10,
        )
        assert b"Operation not permitted" in tried.stdout and tried.stdout.endswith(b"done\n")
        assert shells.run(box.container, "echo alive", timeout=10).stdout == b"alive\n"
    finally:
        shells.forget(box.container)
        box.stream.close()
        pool.wait()


def test_a_shell_that_timed_out_is_dropped_and_the_next_command_gets_another(shells):
    chat = stack.container_id("chat")
    with pytest.raises(TimeoutError):
        shells.run(chat, "sleep 3", timeout=0.3)
    assert shells.open[chat] == 0  # dropped: its command may still be running
    assert shells.run(chat, "echo again", timeout=10).stdout == b"again\n"


def test_a_command_of_several_lines_and_one_past_the_open_shells_get_an_exec(shells):
    flask = stack.container_id("flask")
    assert shells.run(flask, "echo one\necho two", timeout=10).stdout == b"one\ntwo\n"
    assert flask not in shells.open  # no shell was opened for it
    held = [shells._take(flask) for _ in range(MAX_SHELLS)]
    assert all(held) and shells._take(flask) is None  # all busy: the next command is an exec
    assert shells.run(flask, "echo by exec", timeout=10).stdout == b"by exec\n"
    for shell in held:
        shells._drop(flask, shell)


def test_a_shell_whose_container_went_away_gives_way_to_an_exec_that_says_so(shells):
    rsyslog = stack.container_id("rsyslog")
    shells.run(rsyslog, "true", timeout=10)
    shell = shells.idle[rsyslog][0]
    shell.stream.close()  # as if the container had restarted under it
    assert shells.run(rsyslog, "echo still", timeout=10).stdout == b"still\n"
    assert shells.open[rsyslog] == 0  # the broken one was dropped
