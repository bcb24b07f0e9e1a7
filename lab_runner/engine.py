"""A small client for the Docker Engine API: list containers, and exec in them with stdin.

lab_runner talks to the engine directly instead of running `docker` or `docker compose` for
each step: an exec through the API costs the engine's own work (~30 ms here) and no CLI start.
The Docker SDK for Python (`docker`) would do the same but adds 0.1 s of imports to every
run, and its exec-with-stdin needs the raw socket anyway (see docs/benchmarks.md).

Every call has a timeout; a refused, missing or silent engine is an EngineError.

    >>> engine = Engine()                                         # doctest: +SKIP
    >>> engine.exec(cid, ["cat"], stdin=b"hi").stdout             # doctest: +SKIP
    b'hi'
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import subprocess
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_SOCKET = "/var/run/docker.sock"
STDOUT, STDERR = 1, 2


class EngineError(Exception):
    """The engine cannot be reached, or answered with an error."""


@dataclass
class Done:
    """A finished exec: its exit code and what it wrote."""

    exit_code: int
    stdout: bytes
    stderr: bytes


def _endpoint() -> tuple[str, str | tuple[str, int]]:
    """Where the engine listens: ("unix", path) or ("tcp", (host, port)), as the docker CLI finds it."""
    host = os.environ.get("DOCKER_HOST", "")
    if not host and not os.path.exists(DEFAULT_SOCKET):
        # Docker Desktop and rootless Docker name their socket in the current docker context.
        try:
            host = subprocess.run(
                ["docker", "context", "inspect", "--format", "{{.Endpoints.docker.Host}}"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            host = ""
    if not host or host.startswith("unix://"):
        return "unix", host.removeprefix("unix://") or DEFAULT_SOCKET
    if host.startswith("tcp://") and os.environ.get("DOCKER_TLS_VERIFY", "") in ("", "0"):
        parsed = urllib.parse.urlsplit(host)
        return "tcp", (parsed.hostname or "localhost", parsed.port or 2375)
    raise EngineError(f"DOCKER_HOST={host} is not supported by lab_runner: use unix:// or plain tcp://")


class Engine:
    """The Docker engine the docker CLI would use (DOCKER_HOST, else the default socket)."""

    def __init__(self, timeout: float = 15.0) -> None:
        self.kind, self.address = _endpoint()
        self.timeout = timeout

    def _connect(self, timeout: float) -> socket.socket:
        family = socket.AF_UNIX if self.kind == "unix" else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(self.address)
        except OSError as err:
            sock.close()
            raise EngineError(
                f"cannot reach the Docker engine at {self.address}: {err.strerror or err}"
            ) from err
        return sock

    def _send(self, sock: socket.socket, method: str, path: str, body: object, extra: str = "") -> None:
        data = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{extra}\r\n"
        )
        sock.sendall(head.encode() + data)

    @staticmethod
    def _read_head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
        """Status, headers, and whatever of the body came with them."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise EngineError("the Docker engine closed the connection without an answer")
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        return status, headers, rest

    def request(self, method: str, path: str, body: object = None, timeout: float | None = None) -> object:
        """One API call; its JSON answer (None when empty). EngineError on a timeout or an error status."""
        timeout = timeout or self.timeout
        try:
            with self._connect(timeout) as sock:
                self._send(sock, method, path, body, "Connection: close\r\n")
                status, headers, rest = self._read_head(sock)
                while chunk := sock.recv(65536):
                    rest += chunk
        except TimeoutError as err:
            raise EngineError(
                f"the Docker engine did not answer {method} {path} within {timeout:g} s"
            ) from err
        if headers.get("transfer-encoding") == "chunked":
            rest = _unchunk(rest)
        if status >= 400:
            try:
                message = json.loads(rest).get("message", "")
            except ValueError:
                message = rest.decode(errors="replace").strip()
            raise EngineError(f"the Docker engine refused {method} {path}: {message or status}")
        return json.loads(rest) if rest.strip() else None

    def ping(self) -> bool:
        try:
            with self._connect(5) as sock:
                self._send(sock, "GET", "/_ping", None, "Connection: close\r\n")
                return self._read_head(sock)[0] == 200
        except (EngineError, OSError):
            return False

    def containers(self, labels: dict[str, str]) -> list[dict]:
        """Containers (running or not) that carry every one of LABELS."""
        filters = json.dumps({"label": [f"{k}={v}" for k, v in labels.items()]})
        found = self.request("GET", "/containers/json?all=1&filters=" + urllib.parse.quote(filters))
        return found if isinstance(found, list) else []

    def open_exec(
        self,
        container: str,
        cmd: list[str],
        *,
        env: dict[str, str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        stdin: bool = False,
        timeout: float = 30.0,
    ) -> Exec:
        """Start CMD in CONTAINER; an Exec to write its stdin and read its output as it comes."""
        spec = {
            "Cmd": cmd,
            "AttachStdin": stdin,
            "AttachStdout": True,
            "AttachStderr": True,
            "Tty": False,
            "Env": [f"{k}={v}" for k, v in (env or {}).items()],
        }
        if workdir:
            spec["WorkingDir"] = workdir
        if user:
            spec["User"] = user
        created = self.request("POST", f"/containers/{container}/exec", spec)
        exec_id = created["Id"]  # type: ignore[index]
        sock = self._connect(timeout)
        try:
            self._send(
                sock,
                "POST",
                f"/exec/{exec_id}/start",
                {"Detach": False, "Tty": False},
                "Connection: Upgrade\r\nUpgrade: tcp\r\n",
            )
            status, _, rest = self._read_head(sock)
        except (OSError, EngineError) as err:
            sock.close()
            raise EngineError(f"cannot start {cmd[0]} in the container: {err}") from err
        if status not in (101, 200):
            sock.close()
            raise EngineError(f"the Docker engine refused to start {cmd[0]}: status {status}")
        return Exec(self, exec_id, sock, rest)

    def attach(self, container: str, timeout: float = 30.0) -> Exec:
        """Attach to CONTAINER's main process (created with OpenStdin): write its stdin, read its output."""
        sock = self._connect(timeout)
        try:
            self._send(
                sock,
                "POST",
                f"/containers/{container}/attach?stream=1&stdin=1&stdout=1&stderr=1",
                None,
                "Connection: Upgrade\r\nUpgrade: tcp\r\n",
            )
            status, _, rest = self._read_head(sock)
        except (OSError, EngineError) as err:
            sock.close()
            raise EngineError(f"cannot attach to the container: {err}") from err
        if status not in (101, 200):
            sock.close()
            raise EngineError(f"the Docker engine refused to attach to the container: status {status}")
        return Exec(self, "", sock, rest)

    def exec(
        self, container: str, cmd: list[str], stdin: bytes | None = None, timeout: float = 30.0, **kw
    ) -> Done:
        """Run CMD in CONTAINER to the end: its exit code and output."""
        run = self.open_exec(container, cmd, stdin=stdin is not None, timeout=timeout, **kw)
        with run:
            if stdin is not None:
                run.write(stdin)
                run.close_stdin()
            out, err = bytearray(), bytearray()
            for stream, data in run.frames():
                (out if stream == STDOUT else err).extend(data)
            return Done(run.exit_code(), bytes(out), bytes(err))


class Exec:
    """A running exec (or an attached container): write() to its stdin, frames() yields
    (STDOUT|STDERR, bytes) until it ends."""

    def __init__(self, engine: Engine, exec_id: str, sock: socket.socket, pending: bytes) -> None:
        self.engine, self.id, self.sock, self.pending = engine, exec_id, sock, pending

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as err:
            raise EngineError(f"the exec's stdin is closed: {err}") from err

    def close_stdin(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)  # the engine passes the end of stdin on

    def settimeout(self, seconds: float | None) -> None:
        self.sock.settimeout(seconds)

    def _read(self, n: int) -> bytes:
        while len(self.pending) < n:
            chunk = self.sock.recv(max(65536, n - len(self.pending)))
            if not chunk:
                data, self.pending = self.pending, b""
                return data
            self.pending += chunk
        data, self.pending = self.pending[:n], self.pending[n:]
        return data

    def frames(self) -> Iterator[tuple[int, bytes]]:
        """The multiplexed stream: an 8-byte header (stream, size), then the data. TimeoutError passes up."""
        while True:
            header = self._read(8)
            if len(header) < 8:
                return
            stream, size = header[0], struct.unpack(">I", header[4:])[0]
            yield stream, self._read(size)

    def exit_code(self) -> int:
        info = self.engine.request("GET", f"/exec/{self.id}/json")
        code = info.get("ExitCode") if isinstance(info, dict) else None
        return -1 if code is None else int(code)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Exec:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _unchunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)
