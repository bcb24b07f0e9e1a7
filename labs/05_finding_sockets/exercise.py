"""Lab 5: find sockets, as files (ls -l shows an "s") and as the kernel lists them (ss).

"In Linux everything is just a file", says the first article: a Unix domain socket bound to a
name in the filesystem shows up as a file whose type, the first letter ls -l prints, is "s".
Every open socket, named or not, is also in the kernel's tables: /proc/net/unix lists the
Unix ones, and `ss` prints them (`docker compose exec workbench ss -xlp`).

Step 1 is the article's `ll`, on a socket of our own, and this file already does it: run it.
    python -m lab_runner lab5
Steps 2 and 3 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab5` gives one hint
at a time, and `python -m lab_runner watch lab5` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/05_finding_sockets/exercise.py
"""

import os
import socket
import stat
import uuid

# Each run carries a unique token, so the checks find this run's socket and not an old one.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def ls_l(path: str) -> None:
    """What `ls -l PATH` shows first: the file type and permissions (s: a socket, l: a link)."""
    info = os.lstat(path)  # lstat: about the link itself, not what it points to
    target = f" -> {os.readlink(path)}" if stat.S_ISLNK(info.st_mode) else ""
    print(f"ls -l  {stat.filemode(info.st_mode)} {info.st_size:>3} {path}{target}")


def kernel_table(name: str) -> None:
    """The kernel's table of Unix sockets, /proc/net/unix (what `ss -x` reads), for NAME."""
    with open("/proc/net/unix") as table:
        header, *rows = table.read().splitlines()
    found = [row for row in rows if row.endswith(" " + name)]
    for row in [header, *found] if found else [f"(no socket named {name})"]:
        print("/proc/net/unix  " + row)


# The article's example: the socket rsyslogd listens on. /dev/log is a link (l) to it (s).
ls_l("/dev/log")
ls_l("/run/syslog/log")

# Step 1: a Unix stream server socket of our own, named by a file: bind() creates the file.
path = f"/tmp/{token}.sock"
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen()

ls_l(path)  # the first letter is the file type: s, a socket
kernel_table(path)  # Type 0001: SOCK_STREAM; Flags 00010000: it listens

server.close()
# The socket is gone now (the kernel's table no longer lists it), but the file bind() made stays.
ls_l(path)
kernel_table(path)

# YOUR TURN (step 2): bind a new Unix stream socket to the same path. It fails (catch the
# OSError and print it): the file is still there. Remove the file, bind again, and listen().


# YOUR TURN (step 3): a socket with no file at all. Bind a Unix stream socket to a name in the
# abstract namespace: "\0" followed by a name of your own with this run's token in it. Listen,
# connect a second socket to the same name, and send a message with the token through the
# connection, to be received on the other end. kernel_table("@...") shows it while it is open.
