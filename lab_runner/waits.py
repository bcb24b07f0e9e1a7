"""The calls that say how a program used its sockets, as events of the exchange: a wait on a
socket (poll, select, epoll_wait), a socket option read or set (getsockopt SO_ERROR, SO_PEERCRED),
and a new process (fork, clone), so that a lesson made of them can be drawn (lab 10: connect()
returns EINPROGRESS, the program waits until the socket is writable, then reads SO_ERROR).

    waits.add(exchange)   # after its calls: appends "wait", "getsockopt", "setsockopt", "fork" events

A poll() that returned and is followed at once by the call it waited for, on the same socket, is
Python's own timeout machinery (settimeout: poll, then recv), not the learner's wait: it is left
out, as the call that follows tells the story.
"""

from __future__ import annotations

import re

from lab_runner.record_schema import Building
from lab_runner.trace import RECV, SEND, Call, Socket

WAITS = {"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait"}
FORKS = {"clone", "clone3", "fork", "vfork"}
OPTION = re.compile(r"^\d+, (\w+), (\w+), (.*), \[?\d+\]?$")
POLLED = re.compile(r"fd=(\d+), events=(\w+(?:\|\w+)*)")
FD_SET = re.compile(r"\[(\d+(?: \d+)*)\]")
EPOLL_CTL = re.compile(r"^(\d+), EPOLL_CTL_(\w+), (\d+)")
EPOLL_READY = re.compile(r"events=(\w+(?:\|\w+)*), data=\{u32=(\d+)")
TIMEOUT_DONE = 0.002  # seconds: a poll() this close before its socket's next call is Python's own
FOLLOWS = {*SEND, *RECV, "accept", "accept4", "connect"}


def add(ex: Building) -> None:
    """Append EX's wait, socket-option and fork events (EX: an exchange.Exchange)."""
    owner: dict[int, Socket] = {}
    for sock in ex.sockets:
        for call in sock.calls:
            owner.setdefault(id(call), sock)
    epolls: dict[tuple[int, int], set[int]] = {}  # (pid, epoll fd) -> the descriptors it watches
    calls = ex.trace.calls
    for n, call in enumerate(calls):
        if call.ret is None or call.at is None:
            continue
        if call.name in ("getsockopt", "setsockopt") and (sock := owner.get(id(call))) is not None:
            _option(ex, call, sock)
        elif call.name == "epoll_ctl" and (found := EPOLL_CTL.match(call.args)):
            watched = epolls.setdefault((call.pid, int(found.group(1))), set())
            (watched.add if found.group(2) in ("ADD", "MOD") else watched.discard)(int(found.group(3)))
        elif call.name in WAITS:
            _wait(ex, call, calls[n + 1 :], epolls)
        elif call.name in FORKS and call.ret > 0:
            _fork(ex, call)


def _option(ex: Building, call: Call, sock: Socket) -> None:
    found = OPTION.match(call.args)
    if not found:
        return
    event = {
        "t": ex.t(call.at),
        "lane": ex.sock_lane[id(sock)],
        "kind": call.name,
        "call": str(call)[:160],
        "level": found.group(1),
        "option": found.group(2),
        "value": found.group(3)[:120],
    }
    if call.ret < 0:
        event["errno"] = call.errno
    ex.events.append(event)


def _socket_at(ex: Building, pid: int, fd: int, at: float) -> Socket | None:
    """The exercise's socket that was descriptor FD of PID at AT (that pid's own, else any's)."""
    alive = []
    for sock in ex.sockets:
        if sock.fd != fd or not sock.calls or (sock.calls[0].at or 0) > at:
            continue
        closed = [c.at for c in sock.calls if c.name == "close" and c.pid == pid and c.at is not None]
        if closed and min(closed) < at:
            continue
        alive.append(sock)
    mine = [s for s in alive if any(c.pid == pid for c in s.calls)]
    return (mine or alive or [None])[-1]


def _wait(ex: Building, call: Call, after: list[Call], epolls: dict) -> None:
    if call.name in ("poll", "ppoll"):
        asked = [(int(fd), what) for fd, what in POLLED.findall(call.args)]
    elif call.name in ("select", "pselect6"):
        sets = FD_SET.findall(call.args.split("{", 1)[0])
        asked = [(int(fd), "select") for group in sets for fd in group.split()]
    else:
        epfd = int(call.args.split(",", 1)[0])
        ready = [(int(fd), what) for what, fd in EPOLL_READY.findall(call.args)]
        asked = ready or [(fd, "") for fd in sorted(epolls.get((call.pid, epfd), ()))]
    found = [(s, what) for fd, what in asked if (s := _socket_at(ex, call.pid, fd, call.at)) is not None]
    if not found:
        return  # a wait on no socket of the learner's (the resolver's, a pipe's)
    sock, what = found[0]
    # Python polls only with a timeout (0 ms or more): a poll() with none (-1) is the program's own.
    if call.name == "poll" and call.ret > 0 and call.args.rsplit(",", 1)[-1].strip().isdigit():
        done = call.at + (call.took or 0)
        nxt = next((c for c in after if c.pid == call.pid and c.fd == sock.fd and c.at is not None), None)
        if nxt is not None and nxt.name in FOLLOWS and nxt.at - done < TIMEOUT_DONE:
            return
    ex.events.append(
        {
            "t": ex.t(call.at),
            "lane": ex.sock_lane[id(sock)],
            "kind": "wait",
            "call": str(call)[:160],
            "of": call.name,
            "for": what,
            "ready": call.ret,
            "timed_out": call.ret == 0,
            "took": round(call.took or 0.0, 6),
            "fds": len(found),
        }
    )


def _fork(ex: Building, call: Call) -> None:
    """A new process (or thread) that uses a socket: drawn from its parent's lanes to its own."""
    child, parent = call.ret, call.pid
    used_by = {pid: [lane for lane in ex.lanes.values() if lane.get("pid") == pid] for pid in (child, parent)}
    if not used_by[child]:
        return  # a process that did no socket work of its own (a subprocess's `ls`)
    inherited = [s for s in ex.sockets if any(c.pid == child for c in s.calls) and s.calls[0].pid == parent]
    from_lane = ex.sock_lane[id(inherited[0])] if inherited else (used_by[parent] or used_by[child])[0]["id"]
    ex.events.append(
        {
            "t": ex.t(call.at),
            "lane": from_lane,
            "kind": "fork",
            "call": str(call)[:160],
            "pid": parent,
            "child": child,
            "thread": "CLONE_THREAD" in call.args,
            "to": used_by[child][0]["id"],
        }
    )
