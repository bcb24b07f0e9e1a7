"""Lab 10: the system calls under the hood, seen with strace.

The second article: "Creating and running a socket involves system calls. System calls are
executed in the Kernel on behalf of the user." Every socket method in Python ends in one. Here
a small client talks to the Flask server while strace writes down each socket system call it
makes, with its arguments and result. Run it with
    python -m lab_runner lab10
or by hand: docker compose exec workbench python3 /labs/10_system_calls/exercise.py
"""

import os
import subprocess
import sys
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"

# The client that strace watches. Each line's comment names the system call it makes.
CLIENT = f"""
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # socket()
s.connect(("flask", 5000))  # asks the DNS server for "flask", then connect()
s.sendall(b"GET /?run={token} HTTP/1.1\\r\\nHost: flask\\r\\nConnection: close\\r\\n\\r\\n")  # sendto()
answer = b""
while chunk := s.recv(4096):  # recvfrom(); it returns 0 bytes when the server has closed
    answer += chunk
s.close()  # close() (not in this trace: add it to trace=)
print(answer.decode().splitlines()[0])  # write() to file descriptor 1, standard output
"""

trace = f"/tmp/{token}.strace"
# -f: follow child processes too; -e trace=...: only these calls; -s 256: show 256 bytes of data;
# -o: write the trace to a file (it stays in the workbench: look at it afterwards).
strace = ["strace", "-f", "-e", "trace=socket,connect,sendto,recvfrom,write", "-s", "256", "-o", trace]
print("$", " ".join(strace), "python3 -c CLIENT")
done = subprocess.run([*strace, sys.executable, "-c", CLIENT], capture_output=True, text=True)
print("the client printed:", done.stdout.strip())
if done.returncode != 0:
    sys.exit(f"strace or the client failed (exit {done.returncode}): {done.stderr.strip()}")

print(f"the trace ({trace}):")
with open(trace) as f:
    print(f.read().rstrip())
