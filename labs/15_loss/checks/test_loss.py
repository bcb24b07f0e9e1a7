"""Lab 15 checks: numbered datagrams through a lossy link.

The evidence comes from three places, none of which the exercise can forge: the trace (what it
sent and read), the receiver's record (lab-run's peer on 127.0.0.1:9915 in the sandbox, root's;
its log, /run/lab/link, is root's only), and the drop rules' own counters (nft, in the
sandbox's table `link`). The receiver keeps the first copy of each number ("deliver") and
counts the others ("copy"): dedupe is the receiver's job, as in any reliable protocol; the
sender's is to send each number until its own ACK comes, after waiting for it, never blindly.
"""

import re
import time

from lab_runner.judges import judges
from lab_runner.trace import RECV

PORT = 9915
LINK = ("127.0.0.1", PORT)
LOG = "/run/lab/link"
NUMBER = re.compile(rb"\s*(\d{1,9})(?!\d)")  # a datagram's number, first (the receiver's own rule)
ACK = re.compile(rb"ACK (\d{1,9})$")
WAITS = {"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait"}
TIMER_AT_LEAST = 0.005  # seconds between two copies: less leaves an ACK no time to come back
LATE_SLACK = 0.01  # seconds: a sender thread whose timer ran out as another thread read the ACK
COPIES_AT_MOST = 4  # per number on average: at 30% lost each way, stop-and-wait needs ~2


def count_of(run):
    """This learner's COUNT of datagrams (lab.toml's [values]; the exercise's LAB_COUNT)."""
    return int(run.values["count"])


def link_sockets(calls):
    return [s for s in calls.of("AF_INET", "SOCK_DGRAM") if s.peer == LINK]


def sends(calls):
    """(call, number) for each datagram that went out to the link, in time order."""
    found = []
    for sock in link_sockets(calls):
        for c in sock.calls:
            if sock.sends(c) and c.ret is not None and c.ret >= 0:
                number = NUMBER.match(c.data)
                found.append((c, int(number.group(1)) if number else None))
    return sorted(found, key=lambda f: f[0].at or 0)


def acks_read(calls):
    """number -> when its first ACK was read (the end of the call that read it)."""
    found = {}
    for sock in link_sockets(calls):
        for c in sock.calls:
            if sock.receives(c) and c.ret is not None and c.ret > 0 and (ack := ACK.match(c.data)):
                found.setdefault(int(ack.group(1)), (c.at or 0) + (c.took or 0))
    return found


def counters(workbench):
    """(datagrams dropped on the way to the receiver, ACKs dropped on the way back), by nft."""
    table = workbench.run("nft list ruleset").stdout  # the sandbox's: its wall, and the link's table
    out = re.search(rf"udp dport {PORT} .*?counter packets (\d+)", table)
    back = re.search(rf"udp sport {PORT} .*?counter packets (\d+)", table)
    assert out and back, f"the lossy link's rules are not there (nft list ruleset): {table!r}"
    return int(out.group(1)), int(back.group(1))


def record(workbench, calls):
    """The receiver's lines as (what, number): "deliver" the first copy of a number, "copy" a
    later one. Read once every datagram the trace sent is either there or counted as dropped
    (its thread may still be writing the last one), or after 3 s."""
    sent = len(sends(calls))
    deadline = time.monotonic() + 3
    while True:
        lines = [line.split() for line in workbench.run(f"cat {LOG}").stdout.splitlines()]
        heard = [(f[1], int(f[2]) if f[2].isdigit() else None) for f in lines if len(f) == 5]
        if len(heard) + counters(workbench)[0] >= sent or time.monotonic() > deadline:
            return heard
        time.sleep(0.05)


def ranges(numbers):
    """[3, 4, 5, 9] -> "3-5, 9": a list of numbers, short."""
    out, numbers = [], sorted(numbers)
    for n in numbers:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out) or "none"


# --- step 1: the link loses datagrams, and nobody says so -----------------------------------------


def test_numbered_datagrams_went_to_the_link(calls, run):
    sent, count = {n for _, n in sends(calls)} - {None}, count_of(run)
    assert sent, f"no numbered datagram went to {LINK[0]}:{PORT} (the lab's receiver); {calls.story()}"
    assert max(sent) <= count, (
        f"numbers past your COUNT ({count}, from LAB_COUNT) were sent: {ranges(n for n in sent if n > count)}"
    )
    skipped = set(range(1, max(sent) + 1)) - sent
    assert not skipped, (
        f"the numbers sent to {LINK[0]}:{PORT} do not count up from 1: sent {ranges(sent)}, "
        f"never sent {ranges(skipped)}"
    )


def test_the_link_lost_some_of_them(calls, workbench, run):
    sent = sends(calls)
    assert sent, f"no datagram went to {LINK[0]}:{PORT}, so none could be lost; {calls.story()}"
    heard = record(workbench, calls)
    out, back = counters(workbench)
    never = set(range(1, max(n or 0 for _, n in sent) + 1)) - {n for what, n in heard if what == "deliver"}
    seen = (
        f"{len(sent)} datagrams sent, {len(heard)} heard by the receiver (never: {ranges(never)}); "
        f"the link dropped {out} on the way there and {back} ACKs on the way back"
    )
    assert out + back, f"the link lost nothing: {seen}"
    assert len(heard) + out == len(sent), f"the two ends do not add up: {seen}"


# --- step 2: sequence numbers, acknowledgements, retries -----------------------------------------


def test_every_number_was_delivered_exactly_once(calls, workbench, run):
    count = count_of(run)
    heard = record(workbench, calls)
    got = [n for what, n in heard if what == "deliver"]
    copies = sum(what == "copy" for what, _ in heard)
    missing = set(range(1, count + 1)) - set(got)
    assert not missing, (
        f"numbers that never arrived at the receiver: {ranges(missing)} "
        f"(it got {ranges(set(got) - {None})}, and {copies} copies of numbers it already had)"
    )


def test_lost_datagrams_were_sent_again(calls, run):
    numbers = [n for _, n in sends(calls) if n is not None]
    again = sorted({n for n in numbers if numbers.count(n) > 1})
    assert again, (
        f"each number went out once ({len(numbers)} datagrams for {count_of(run)} numbers): "
        "no datagram was sent again, so a lost one stays lost"
    )


@judges("recv")
def test_every_ack_was_read(calls, run):
    acked = acks_read(calls)
    missing = set(range(1, count_of(run) + 1)) - set(acked)
    assert not missing, (
        f"no ACK was read for numbers {ranges(missing)} (ACKs read: {ranges(acked)}): the sender "
        "cannot know those arrived"
    )


@judges("send", "wait", "recv")
def test_each_copy_went_out_after_waiting_for_its_ack(calls, run):
    sent, acked = sends(calls), acks_read(calls)
    numbers = [n for _, n in sent if n is not None]
    assert len(set(numbers)) < len(numbers), (
        f"no number was sent twice ({len(numbers)} numbered datagrams to {LINK[0]}:{PORT}), so no copy "
        "waited for anything"
    )
    waits = [c for c in calls.calls if c.at is not None and (c.name in WAITS or c.name in RECV)]
    last: dict[int, float] = {}
    blind, late = [], []
    for call, n in sent:
        if n is None:
            continue
        at = call.at or 0
        waited = n in last and any(w.at < at and w.at + (w.took or 0) > last[n] for w in waits)
        if n in last and (not waited or at - last[n] < TIMER_AT_LEAST):
            blind.append(n)
        if n in acked and at > acked[n] + LATE_SLACK:
            late.append(n)
        last[n] = at
    assert not blind, (
        f"copies of numbers {ranges(set(blind))} went out without waiting for their ACK (no recv, "
        f"poll or select waited between two copies, or they went out less than {TIMER_AT_LEAST * 1000:g} ms "
        "apart): sent blindly"
    )
    assert not late, f"numbers {ranges(set(late))} were sent again after their ACK had been read"
    count = count_of(run)
    assert len(sent) <= COPIES_AT_MOST * count, (
        f"{len(sent)} datagrams for {count} numbers: more copies than the losses called for "
        f"(at most {COPIES_AT_MOST} per number on average)"
    )
