"""The by-hand floors of labs 11, 12, 13 and 16 for bench/run.py (learner_loop.newer_labs): what a
learner would type to see the same thing without lab_runner, in the stack's workbench. A server
lab's floor starts the solution in the background, drives it with a bare client (the bytes the
checks' clients send, none of their judging), and stops it; lab 16's runs the solution under
strace's own --inject, which is how the lab's faults are made."""

from __future__ import annotations

# A server lab's solution, started, waited for, driven by CLIENT, stopped.
SERVE = """
python3 /labs/{folder}/solution.py >/dev/null 2>&1 &
server=$!
python3 -I -c '{client}'
status=$?
kill $server
exit $status
"""

# Connect once the server listens (it starts in the background a moment before).
CONNECT = """
import socket, struct, time
def connect(port):
    for _ in range(100):
        try:
            return socket.create_connection(("127.0.0.1", port))
        except ConnectionRefusedError:
            time.sleep(0.05)
    raise SystemExit("nothing listens on %d" % port)
def read_until(s, count, end):
    got = b""
    while got.count(end) < count:
        more = s.recv(4096)
        if not more:
            break
        got += more
    return got
"""

LAB11 = (
    CONNECT
    + """
s = connect(12346)
s.sendall(b"hello|world|")            # two messages, one segment: the server must split them
assert read_until(s, 2, b"|") == b"olleh|dlrow|"
t = connect(12347)
t.sendall(struct.pack(">I", 5) + b"hello")
assert t.recv(9) == struct.pack(">I", 5) + b"olleh"
"""
)

LAB12 = (
    CONNECT
    + """
s = connect(12346)
total = 0
while more := s.recv(65536):        # the reader the solution writes to, as fast as it goes
    total += len(more)
assert total > 100_000, total
"""
)

LAB13 = (
    CONNECT
    + """
for _ in range(2):                    # step 1: the one-at-a-time server, one client after another
    a = connect(12347); a.sendall(b"abc\\n"); assert read_until(a, 1, b"\\n") == b"cba\\n"; a.close()
clients = [connect(12348) for _ in range(30)]   # step 2: thirty at once, to one thread
for n, c in enumerate(clients):
    c.sendall(b"line %d\\n" % n)
for n, c in enumerate(clients):
    assert read_until(c, 1, b"\\n") == (b"line %d" % n)[::-1] + b"\\n"
"""
)

# The services by address, as lab-run gives them: a name lookup's own connects would take the faults.
LAB16 = (
    "export LAB_FLASK_ADDR=$(getent hosts flask | cut -d' ' -f1);"
    " export LAB_CHAT_ADDR=$(getent hosts chat | cut -d' ' -f1);"
    " LAB_TOKEN=by-hand-floor strace -f -qq -o /dev/null"
    " -e inject=connect:error=ECONNREFUSED:when=1..3 python3 /labs/16_faults/solution.py >/dev/null"
)

FLOORS = {
    "lab11": [("workbench", "sh", "-c", SERVE.format(folder="11_message_boundaries", client=LAB11))],
    "lab12": [("workbench", "sh", "-c", SERVE.format(folder="12_partial_writes", client=LAB12))],
    "lab13": [("workbench", "sh", "-c", SERVE.format(folder="13_event_loop", client=LAB13))],
    "lab16": [("workbench", "sh", "-c", LAB16)],
}
