"""Lab 5: find sockets, as files (ls -l shows an "s") and as the kernel lists them (ss).

On Linux a Unix domain socket can have a name in the filesystem, so it shows up as a file
whose type is "s". Every socket, named or not, is also in the kernel's tables, which `ss`
prints. This exercise opens three sockets of its own, then goes looking for them. Run it with
    python -m lab_runner lab5
or by hand: docker compose exec workbench python3 /labs/05_finding_sockets/exercise.py
"""

import json
import os
import re
import socket
import stat
import subprocess
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def run(*command: str) -> list[str]:
    """The lines a command prints, e.g. run("ss", "-tln")."""
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()


def ss(options: str, local: str) -> list[str]:
    """The fields of the socket `ss OPTIONS` lists at address LOCAL (-H: no header line)."""
    for line in run("ss", "-H", options):
        fields = line.split()
        if local in fields:
            return fields
    return []


def pid_of(fields: list[str]) -> int | None:
    """The process ss names for a socket, from its last field: users:(("python3",pid=28,fd=3))."""
    found = re.search(r"pid=(\d+)", fields[-1]) if fields else None
    return int(found.group(1)) if found else None


# 1. A socket as a file. /dev/log is a link; the file it points to has the type "s".
print("$ ls -l /dev/log /run/syslog/log")
print("\n".join(run("ls", "-l", "/dev/log", "/run/syslog/log")))
target = os.readlink("/dev/log")
info = os.stat("/dev/log")  # stat() follows the link, like ls -lL
kind = stat.filemode(info.st_mode)[0]  # the first letter of "srw-rw-rw-"
print(f"/dev/log -> {target}: file type {kind!r}, a socket: {stat.S_ISSOCK(info.st_mode)}\n")

# 2. Three sockets of our own.
# A TCP server socket; port 0 asks the kernel for any free port.
tcp_listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp_listener.bind(("0.0.0.0", 0))
tcp_listener.listen()
listen_port = tcp_listener.getsockname()[1]

# A Unix stream server socket, named by a file: bind() creates the file.
path = f"/tmp/unix-{token}.sock"
unix_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
unix_listener.bind(path)
unix_listener.listen()

# A TCP connection to the Flask server.
conn = socket.create_connection(("flask", 5000))
local_ip, local_port = conn.getsockname()

# 3. Go looking for them with ss: -t TCP, -x Unix, -l listening, -n numbers, -p processes.
print(f"my pid is {os.getpid()}; ss in this container lists:")
tcp = ss("-tlnp", f"0.0.0.0:{listen_port}")
unix = ss("-xlp", path)
est = ss("-tnp", f"{local_ip}:{local_port}")  # without -l: connections, not listeners
print("  TCP listener:   ", " ".join(tcp) or "not found")
print("  Unix listener:  ", " ".join(unix) or "not found")
print("  TCP connection: ", " ".join(est) or "not found")
syslog_seen = any("/run/syslog/log" in line for line in run("ss", "-xa"))
# /run/syslog/log is a file here too, but the socket is rsyslogd's, in another container.
print(f"  /run/syslog/log: {'listed' if syslog_seen else 'not listed'}")

# The connection is real: ask for a page with this run's token, so Flask's log shows it too.
conn.sendall(f"GET /?run={token} HTTP/1.0\r\n\r\n".encode())
while conn.recv(4096):  # HTTP/1.0: the server closes when it is done
    pass
conn.close()
tcp_listener.close()
unix_listener.close()
# The sockets are gone now, but the file bind() made stays until someone unlinks it.
print("\nafter close():", run("ls", "-l", path)[0])

# One line for machines (the checks read it); the addresses and pids are what ss said.
report = {
    "pid": os.getpid(),
    "dev_log": {"target": target, "type": kind, "inode": info.st_ino},
    "tcp_listener": {"local": tcp[3] if tcp else None, "pid": pid_of(tcp)},
    "unix_listener": {"path": unix[4] if unix else None, "pid": pid_of(unix)},
    "tcp_connection": {"local": est[3] if est else None, "peer": est[4] if est else None, "pid": pid_of(est)},
    "syslog_socket_listed_here": syslog_seen,
}
print("report:", json.dumps(report))
