"""The checks' commands through a shell kept open in each container, instead of an exec per
command: a check reads a log several times a run, and a whole class reads them thousands of times.

    shells = Shells()                                   # a Session holds one (lab_runner/session.py)
    done = shells.run(rsyslog_id, "grep -c x /var/log/syslog", timeout=10)   # an engine.Done
    shells.close()

An exec costs the machine ~35 ms of CPU and more under load (the engine, containerd, runc's
start of the process in the container: docs/benchmarks.md); a command written to a shell that is
already open costs what its own processes cost. Only the services' containers (rsyslog, flask,
chat) and a run's sandbox get shells, for the commands of the run's checks: each runs as an exec
of it would (root, from /, hosts' PATH and HOME), in a subshell of its own, and the exercise,
a uid of its own with no capability, can no more reach the shell than it could reach an exec
(it cannot trace or signal root's processes, and the shell's stdin is the engine's). A sandbox's
shells end with the run (forget).

The shell reads one command a line and answers one line (LOOP): what the command printed, its
exit status and its stderr, each whole, in base64. Each command runs in a subshell: an `exit 3`
ends it, not the shell, and a `cd` is forgotten. A shell that breaks or times out is dropped; a
command it could not take runs as an exec of its own, so a shell never decides a result.
"""

from __future__ import annotations

import base64
import threading
import time

from lab_runner import stack
from lab_runner.engine import STDOUT, Done, EngineError, Exec

# Where a check's command runs, in any container (the run's sandbox included): a working
# directory, PATH and HOME the exercise cannot write (the root filesystem is read-only), and no
# Python path from them: a socket.py or json.py the exercise left in /tmp is never imported.
WORKDIR = "/"
ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/nonexistent",
    "PYTHONSAFEPATH": "1",  # a `python3 -c` does not put its working directory first on sys.path
    "LC_ALL": "C.UTF-8",
}
# One command a line; one answer a line: base64 of its stdout and exit status, a space, base64
# of its stderr. The command runs in a subshell, its stdin empty (never the shell's next line),
# its stderr to fd 4, captured apart.
LOOP = (
    "while IFS= read -r c; do"
    " e=$( { o=$( { (eval \"$c\") </dev/null 2>&4; printf '\\n%d' $?; } | base64 -w0 );"
    ' printf %s "$o" >&5; } 4>&1'
    " | base64 -w0 );"
    " printf ' %s\\n' \"$e\";"
    " done 5>&1"
)
MAX_SHELLS = 4  # per container, open at once: more commands at once each get an exec


class Shell:
    """One shell open in a container, taking one command at a time."""

    def __init__(self, container: str, env: dict[str, str], workdir: str) -> None:
        self.stream: Exec = stack.engine().open_exec(
            container, ["/bin/sh", "-c", LOOP], stdin=True, env=env, workdir=workdir
        )
        self.frames = self.stream.frames()
        self.pending = b""

    def run(self, command: str, timeout: float) -> Done:
        """COMMAND's exit status and output; TimeoutError, or EngineError if the shell is gone."""
        self.stream.settimeout(max(0.01, timeout))
        self.stream.write(command.encode() + b"\n")
        said = bytearray()
        while b"\n" not in self.pending:
            try:
                kind, data = next(self.frames)
            except StopIteration:
                raise EngineError("the shell ended") from None
            except OSError as err:  # TimeoutError included: the caller says what timed out
                if isinstance(err, TimeoutError):
                    raise
                raise EngineError(f"the shell broke: {err}") from err
            if kind == STDOUT:
                self.pending += data
            else:
                said += data
        line, _, self.pending = self.pending.partition(b"\n")
        answer, _, err = line.partition(b" ")
        out, _, status = base64.b64decode(answer).rpartition(b"\n")
        return Done(int(status), out, base64.b64decode(err) + bytes(said))

    def close(self) -> None:
        self.stream.close()


class Shells:
    """The open shells of one lab_runner process, a few per service container, shared by the
    runs and checks that run side by side."""

    def __init__(self, env: dict[str, str] = ENV, workdir: str = WORKDIR) -> None:
        self.env, self.workdir = env, workdir
        self.lock = threading.Lock()
        self.idle: dict[str, list[Shell]] = {}
        self.open: dict[str, int] = {}
        self.closed = False

    def _take(self, container: str) -> Shell | None:
        with self.lock:
            if self.closed:
                return None
            if self.idle.get(container):
                return self.idle[container].pop()
            if self.open.get(container, 0) >= MAX_SHELLS:
                return None
            self.open[container] = self.open.get(container, 0) + 1
        try:
            return Shell(container, self.env, self.workdir)
        except (EngineError, OSError, stack.StackError):
            self._drop(container)
            return None

    def _drop(self, container: str, shell: Shell | None = None) -> None:
        if shell:
            shell.close()
        with self.lock:
            self.open[container] -= 1

    def run(self, container: str, command: str, timeout: float) -> Done:
        """COMMAND in CONTAINER (as `sh -c` would run it there): through an open shell when one is
        free, else as an exec. TimeoutError when it did not end in TIMEOUT seconds."""
        if "\n" not in command and (shell := self._take(container)):
            started = time.monotonic()
            try:
                done = shell.run(command, timeout)
            except TimeoutError:
                self._drop(container, shell)  # its command may still run: the shell is no use now
                raise
            except (EngineError, OSError, ValueError):  # the shell broke: the command gets an exec
                self._drop(container, shell)
                timeout -= time.monotonic() - started
            else:
                with self.lock:
                    if self.closed:
                        shell.close()
                    else:
                        self.idle.setdefault(container, []).append(shell)
                return done
        left = max(0.01, timeout)
        return stack.engine().exec(
            container, ["/bin/sh", "-c", command], timeout=left, workdir=self.workdir, env=self.env
        )

    def forget(self, container: str) -> None:
        """CONTAINER is going (a run's sandbox, once its checks are done): close its shells."""
        with self.lock:
            shells = self.idle.pop(container, [])
            self.open.pop(container, None)
        for shell in shells:
            shell.close()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            shells = [s for found in self.idle.values() for s in found]
            self.idle.clear()
        for shell in shells:
            shell.close()
