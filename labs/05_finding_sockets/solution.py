"""Lab 5, the reference solution: a socket file you can find, the file that outlives its
socket, and a socket with no file at all (the abstract namespace).

    python -m lab_runner lab5 --solution
"""

import os
import socket
import stat
import uuid

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

# Step 2: the file outlives its socket, and a name that is taken cannot be bound again.
again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    again.bind(path)
except OSError as err:  # [Errno 98] Address already in use: nobody listens, but the file is there
    print(f"bind {path} again: {err}")
os.unlink(path)  # what a server does before bind(): remove the stale file
again.bind(path)
again.listen()
print(f"after unlink, bind {path}: ok")
ls_l(path)
again.close()

# Step 3: a name in the abstract namespace starts with a NUL byte. The kernel keeps it; no
# file is made, and the name goes away with the last socket bound to it.
name = f"lab5-abstract-{token}"
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind("\0" + name)
listener.listen()
kernel_table("@" + name)  # /proc/net/unix and ss show the NUL as @

client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect("\0" + name)  # completes at once: the kernel queues it until accept()
conn, _ = listener.accept()
client.sendall(f"hello through @{name}".encode())
print("the other end got:", conn.recv(1024).decode())
conn.sendall(b"got it")
print("and answered:", client.recv(1024).decode())
print(f"a file in /tmp for it: {[f for f in os.listdir('/tmp') if name in f]}")

for s in (conn, client, listener):
    s.close()
