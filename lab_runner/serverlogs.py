"""What each server the run touched wrote down about it: this run's lines of its log.

    lines = read(containers, {"flask", "chat"}, token, Identity("172.20.0.6"), since=t0, until=t1)

A line is this run's when it came from the run's sandbox (its address, or its uid for rsyslog:
lab_runner/loglines.py), and holds the run's token or (for chat, the ports its connections
used; for Flask, while the run was on) names no other run's. The lines the checks found with
the token are taken as they are (the run's Run keeps them: lab_runner/context.py); else one command per
server, side by side, once the checks are done (they waited for the lines).
The servers' own words are read here too: what a line says the server heard, and which
connection a line is about.
"""

from __future__ import annotations

import calendar
import concurrent.futures
import re
import time

from lab_runner import loglines, services, stack
from lab_runner.context import Run, all_lines
from lab_runner.engine import EngineError
from lab_runner.identity import Identity
from lab_runner.services import SERVICES

LOGS = {name: service.log for name, service in SERVICES.items()}
PATHS = services.SOCKETS  # where a service's Unix socket is reached
MAX_LINES = 200  # per server and run: a flood's lines are not an exchange a learner reads
SLACK = 2.0  # seconds around the run: the servers' logs give whole seconds
# What the server says it heard: the bytes that arrived, as each server quotes them.
HEARD = [re.compile(service.heard) for service in SERVICES.values() if service.heard]
# At the start of the line, where the server puts it: never inside what a client said.
CONNECTION = re.compile(
    r"^(Accepted connection from|Connection closed|Connection from|Dropping|Refusing|Slowing):? "
    r"\('([0-9a-f.:]+)', (\d+)\)"
)
TOKEN = re.compile(r"\blab\d+-[0-9a-f]{12}\b")  # a run's token (runs.new_token): another run's is not ours
WERKZEUG = re.compile(r"^(\S+) - - \[(\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d)\]")


def heard(line: str) -> str | None:
    """The bytes the server quotes as having heard, from one of its lines; None if it quotes none."""
    if answered := loglines.access(line):  # Werkzeug, the request line it answered
        return answered.request
    for pattern in HEARD:
        if found := pattern.search(line):
            return found.group(1)
    return None


def ends_request(line: str) -> bool:
    """Werkzeug's last line for one request (the status it answered), after any error line."""
    return loglines.access(line) is not None


def connection(line: str) -> tuple[str, tuple[str, int]] | None:
    """('accepted'|'closed'|..., (ip, port)) when LINE is about one connection (chat's lines)."""
    if found := CONNECTION.search(line):
        word = found.group(1).split()[0].lower()
        return {"accepted": "accepted", "connection": "closed"}.get(word, word), (
            found.group(2),
            int(found.group(3)),
        )
    return None


def ips(containers: dict[str, str]) -> dict[str, str]:
    """Each service's IPv4 address on the stack's network, from the engine (no command run)."""
    found = {}
    for service, cid in containers.items():
        try:
            info = stack.engine().request("GET", f"/containers/{cid}/json")
        except (EngineError, stack.StackError):
            continue
        networks = info.get("NetworkSettings", {}).get("Networks", {}) if isinstance(info, dict) else {}
        for net in networks.values():
            if net.get("IPAddress"):
                found[service] = net["IPAddress"]
                break
    return found


def _mine(line: str, token: str, ip: str, ports: set[int], since: float, until: float) -> bool:
    if token in line:
        return True
    if TOKEN.search(line):  # another run's line (the sandbox's address is reused once it is gone)
        return False
    if conn := connection(line):
        return conn[1][0] == ip and conn[1][1] in ports
    if (stamp := WERKZEUG.match(line)) and stamp.group(1) == ip:
        try:
            at = calendar.timegm(time.strptime(stamp.group(2), "%d/%b/%Y %H:%M:%S"))
        except ValueError:
            return False
        return since - SLACK <= at <= until + SLACK
    return False


def read(
    containers: dict[str, str],
    services: set[str],
    token: str,
    identity: Identity,
    ports: set[int] | None = None,
    since: float = 0.0,
    until: float = 0.0,
    run: Run | None = None,
) -> dict[str, list[str]]:
    """This run's lines of each of SERVICES' logs (a server that cannot be read has none): the
    lines IDENTITY sent, from the log and its previous generation. RUN: what its checks read
    (every line it sent to a log, or the lines with its token), taken as it is."""
    seen_by_checks = run.seen if run else {}
    ports, ip = ports or set(), identity.ip

    def one(service: str) -> list[str]:
        path = LOGS[service]
        every = run.found(all_lines(containers[service], path)) if run else None
        if isinstance(every, list):  # all it sent, read once for its checks: no command of ours
            lines = loglines.of(path, every, identity)
            return [line for line in lines if _mine(line, token, ip, ports, since, until)][-MAX_LINES:]
        seen = seen_by_checks.get((service, path, token))
        if seen and service != "chat":  # what the checks found (chat's lines by port are not in it)
            return [line for line in seen if _mine(line, token, ip, ports, since, until)][-MAX_LINES:]
        needles = [token] + ([f"{ip} - - [", f"('{ip}', "] if service != "rsyslog" else [])
        # The last lines only; "unstable" on stderr when the log rotated while it was read.
        grep = loglines.read_command(path, needles)
        cmd = f"{{ ({grep}) || echo unstable >&2; }} | tail -n {MAX_LINES * 4}"
        try:
            for _ in range(5):  # again, if the log rotated while it was read
                if run and run.shells:  # the checks' open shell in that service's container
                    done = run.shells.run(containers[service], cmd, timeout=10)
                else:
                    done = stack.engine().exec(containers[service], ["/bin/sh", "-c", cmd], timeout=10)
                if b"unstable" not in done.stderr:
                    break
        except (EngineError, stack.StackError):
            return []
        lines = loglines.of(path, loglines.split(done.stdout), identity)
        return [line for line in lines if _mine(line, token, ip, ports, since, until)][-MAX_LINES:]

    wanted = sorted(s for s in services if s in LOGS and s in containers)
    with concurrent.futures.ThreadPoolExecutor(max(1, len(wanted))) as pool:
        found = dict(zip(wanted, pool.map(one, wanted), strict=True))
    return found
