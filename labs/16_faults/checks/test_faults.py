"""Lab 16 checks: the faults strace injected (its "(INJECTED)" after a call's result, which only
strace writes: lab_runner/calls.py), the packets the run's network namespace carried, and what
Flask and chat logged from this run's own address (lab_runner/evidence.py)."""

import re

from lab_runner import capture
from lab_runner.evidence import ip_of, wait_lines
from lab_runner.judges import judges
from lab_runner.loglines import CHAT_SAID, access
from lab_runner.trace import RECV

FLASK_PORT, CHAT_PORT = 5000, 12345
MIN_WAIT = 0.05  # seconds between two tries at least: less is hammering
GROWTH = 2.0  # the last wait at least this many times the first (over 3 waits or more: a
# loaded machine wakes a sleeper late, by tens of ms, so two waits alone tell little)
# The calls a program sleeps in (lab-run traces clock_nanosleep and nanosleep for a lab with
# faults; the waits on descriptors always): time.sleep, asyncio.sleep, a selector's timeout.
SLEEPS = {"clock_nanosleep", "nanosleep", "epoll_wait", "epoll_pwait", "poll", "ppoll", "select", "pselect6"}


def attempts(calls, host, port):
    """Every connect() to HOST:PORT, in the order made: (call, its socket)."""
    where = (ip_of(host), port)
    found = [(c, s) for s in calls.of("AF_INET", "SOCK_STREAM") if s.peer == where for c in s.made("connect")]
    return sorted(found, key=lambda cs: calls.calls.index(cs[0]))


def real(call, sock):
    """A connect() the kernel made (not injected) that led somewhere: 0, or EINPROGRESS and a send."""
    if call.injected:
        return False
    return call.ret == 0 or (
        call.errno == "EINPROGRESS" and any(sock.sends(c) and (c.ret or 0) > 0 for c in sock.calls)
    )


def story(calls, host, port, name):
    made = [str(c)[:150] for c, _ in attempts(calls, host, port)]
    if made:
        return f"its connect()s to {name}: {made}"
    hint = ""
    if any(c.injected and ("nscd" in c.args or "htons(53)" in c.args) for c in calls.named("connect")):
        hint = (
            " (the injected refusals went to a name lookup's own connects:"
            " use LAB_FLASK_ADDR and LAB_CHAT_ADDR, the addresses as numbers)"
        )
    return f"no connect() to {name} ({ip_of(host)}:{port}) at all{hint}; {calls.story()}"


# --- step 1: see it ----------------------------------------------------------------------------


@judges("fault")
def test_a_connect_to_flask_was_refused_by_injection(calls, flask):
    refused = [c for c, _ in attempts(calls, flask, FLASK_PORT) if c.injected and c.errno == "ECONNREFUSED"]
    assert refused, (
        f"no connect() to flask:{FLASK_PORT} was answered -1 ECONNREFUSED (INJECTED); "
        f"{story(calls, flask, FLASK_PORT, 'flask')}"
    )


@judges("fault", "connect")
def test_no_syn_went_out_for_an_injected_connect(live, calls, flask):
    tried = attempts(calls, flask, FLASK_PORT)
    assert any(c.injected for c, _ in tried), (
        "no injected connect() to flask (the check above): nothing to compare"
    )
    # No packet at all is the starter's evidence, once the capture has reached the run's end (a
    # SYN still on its way must not be judged never sent); a capture that did not run says nothing.
    ran = capture.whole(live)
    to_flask = (ip_of(flask), FLASK_PORT)
    syns = {p.src for p in capture.parse(ran.packets) if p.dst == to_flask and p.flags == "SYN"}
    kernel_made = sum(1 for c, _ in tried if not c.injected)
    assert len(syns) <= kernel_made, (
        f"{len(syns)} connection(s) sent a SYN to flask:{FLASK_PORT}, "
        f"but only {kernel_made} connect() reached "
        "the kernel: an injected connect() sends none"
    )


# --- step 2: try again, with backoff --------------------------------------------------------------


def until_connected(calls, flask):
    """The connect()s to flask up to the first the kernel made (its index), or None."""
    tried = attempts(calls, flask, FLASK_PORT)
    first = next((i for i, (c, s) in enumerate(tried) if real(c, s)), None)
    return tried, first


@judges("fault", "connect")
def test_it_tried_again_until_a_connect_to_flask_succeeded(calls, flask):
    tried, first = until_connected(calls, flask)
    refused = sum(1 for c, _ in tried[: first or len(tried)] if c.injected)
    assert first is not None and refused, (
        "no connect() to flask succeeded after a refused one: "
        + (f"{refused} refused, then it gave up" if refused else "no injected refusal first")
        + f"; {story(calls, flask, FLASK_PORT, 'flask')}"
    )


@judges("fault", "connect")
def test_the_waits_between_attempts_grew(calls, flask):
    tried, first = until_connected(calls, flask)
    assert first is not None and first >= 3, (
        "fewer than 4 tries up to the first connect() that succeeded; "
        + story(calls, flask, FLASK_PORT, "flask")
    )
    times = [c.at for c, _ in tried[: first + 1]]
    assert None not in times, "the trace has no times for the connect()s"
    gaps = waits(calls.calls, [c for c, _ in tried[: first + 1]])
    shown = ", ".join(f"{g:.3f} s" for g in gaps)
    assert min(gaps) >= MIN_WAIT, (
        f"the waits between tries were {shown}: one under {MIN_WAIT} s is no wait "
        f"({len(tried)} connect()s in {times[-1] - times[0]:.3f} s)"
    )
    assert gaps[-1] >= GROWTH * gaps[0], (
        f"the waits between tries were {shown}: the last is not twice the first (a backoff grows)"
    )


TIMESPEC = re.compile(r"\{tv_sec=(\d+), tv_nsec=(\d+)\}")


def asked(calls):
    """How long each sleep call in CALLS asked to sleep, by call: what the program asked for, which
    no stall changes (a late wake-up lengthens what -T says a sleep took). time.sleep asks for a
    deadline (clock_nanosleep TIMER_ABSTIME, on the monotonic clock): its length is that deadline
    less the call's own time, on the clock strace's times are on, whose offset is found from the
    sleep that woke least late. Other waits (epoll_wait, poll, select) count as long as they took."""
    deadlines, found = {}, {}
    for c in calls:
        if c.name not in SLEEPS or c.at is None or c.took is None:
            continue
        spec = TIMESPEC.search(c.args) if c.name in ("clock_nanosleep", "nanosleep") else None
        if spec is None:
            found[id(c)] = c.took
        elif "TIMER_ABSTIME" in c.args:  # on its clock (the first argument): each has its offset
            clock = c.args.partition(",")[0]
            deadlines.setdefault(clock, []).append((c, int(spec.group(1)) + int(spec.group(2)) / 1e9))
        else:
            found[id(c)] = int(spec.group(1)) + int(spec.group(2)) / 1e9
    for sleeps in deadlines.values():  # strace's clock = this one + offset; none wakes early
        offset = min(c.at + c.took - deadline for c, deadline in sleeps)
        for c, deadline in sleeps:
            found[id(c)] = max(0.0, deadline + offset - c.at)
    return found


def waits(calls, tries):
    """The waits between TRIES (connect() calls): how long the thread that tried next asked to
    sleep between two (asked()), when the trace shows it sleeping at least MIN_WAIT there, and
    never more than the time that passed; else that time. CI failed the reference on the time
    alone: a loaded machine stalled it 0.15 s between its first two tries, and the time between
    calls, like a sleep's -T, grows with a stall; what it asked for does not. Another thread's
    sleeps do not count: they are not this loop's waits."""
    lengths, found = asked(calls), []
    for before, after in zip(tries, tries[1:], strict=False):
        start, end = before.at, after.at
        slept = sum(
            lengths.get(id(c), 0.0)
            for c in calls
            if c.pid == after.pid and c.at is not None and start <= c.at < end
        )
        found.append(min(end - start, slept) if slept >= MIN_WAIT else end - start)
    return found


@judges("fault", "recv")
def test_python_retried_the_injected_eintr_itself(calls):
    for sock in calls.learners():
        reads = [c for c in sock.calls if c.name in RECV]
        for n, c in enumerate(reads[:-1]):
            again = reads[n + 1]
            if (
                c.injected
                and c.errno == "EINTR"
                and again.name == c.name
                and not again.injected
                and (again.ret or 0) > 0
            ):
                return
    injected = [str(c)[:120] for c in calls.injected if c.errno == "EINTR"]
    raise AssertionError(
        "no recv() answered -1 EINTR (INJECTED) followed by the same recv() again returning bytes; "
        + (
            f"the injected EINTR: {injected}"
            if injected
            else "no recv() (recvfrom) on a socket at all: read with sock.recv()"
        )
    )


@judges("send", lines="flask")
def test_flask_logged_a_200_for_the_request(flask, workbench, calls, token):
    tried, first = until_connected(calls, flask)
    assert first is not None, (
        f"no connect() to flask reached the kernel; {story(calls, flask, FLASK_PORT, 'flask')}"
    )
    lines = wait_lines(flask, token)
    ip = ip_of(workbench)
    ok = [
        a
        for a in map(access, lines)
        if a and a.client == ip and f"/?run={token}" in a.request and a.status == 200
    ]
    assert ok, f"Flask logged no 200 for GET /?run={token} from this run; its lines with the token: {lines}"


# --- step 3: reconnect and resume ---------------------------------------------------------------


def chat_sockets(calls, chat):
    where = (ip_of(chat), CHAT_PORT)
    return [s for s in calls.of("AF_INET", "SOCK_STREAM") if s.peer == where]


def reset_sends(calls, chat):
    return [(c, s) for s in chat_sockets(calls, chat) for c in s.calls
            if s.sends(c) and c.injected and c.errno == "ECONNRESET"]  # fmt: skip


@judges("fault")
def test_a_send_to_chat_was_reset_by_injection(calls, chat):
    assert reset_sends(calls, chat), (
        "no send to chat was answered -1 ECONNRESET (INJECTED): the lab resets the program's fifth "
        f"sendto() (fourth sendmsg()): one send per line; {story(calls, chat, CHAT_PORT, 'chat')}"
    )


@judges("fault", "connect", "send")
def test_it_connected_to_chat_again_after_the_reset(calls, chat):
    reset = reset_sends(calls, chat)
    assert reset, "no send to chat was reset (the check above): nothing to reconnect after"
    at = calls.calls.index(reset[0][0])
    later = [
        s for s in chat_sockets(calls, chat)
        if s is not reset[0][1] and calls.calls.index(s.calls[0]) > at
        and any(real(c, s) for c in s.made("connect"))
        and any(s.sends(c) and (c.ret or 0) > 0 for c in s.calls)
    ]  # fmt: skip
    assert later, (
        f"no new connection to chat sent anything after the reset; {story(calls, chat, CHAT_PORT, 'chat')}"
    )


LINE = re.compile(r"(\d+)/(\d+)$")


@judges("send", lines="chat")
def test_chat_heard_every_line_exactly_once(chat, run, token):
    total = int(run.values.get("lines", 10))  # the learner's own number (LAB_LINES)
    lines = wait_lines(chat, token, count=total)
    if len(lines) >= total:  # any line twice came with the others: a moment for the last ones
        lines = wait_lines(chat, token, count=total + 1, timeout=0.5)
    heard = []
    for line in lines:
        said = CHAT_SAID.search(line)
        found = LINE.search(said.group(1).strip()) if said and said.group(1).startswith(token) else None
        if found and int(found.group(2)) == total:
            heard.append(int(found.group(1)))
    twice = sorted({n for n in heard if heard.count(n) > 1})
    missing = [n for n in range(1, total + 1) if n not in heard]
    assert not twice and not missing, (
        f"chat heard from this run {len(heard)} of the lines '{token} line n/{total}'"
        + (f"; twice: {twice}" if twice else "")
        + (f"; missing: {missing}" if missing else "")
        + (f"; its lines with the token: {[line[-60:] for line in lines[:6]]}" if not heard else "")
    )
