"""Lab 8: ports. The port picks the application; a connection is a 4-tuple.

The second article: "The port ... helps redirect the packets arriving at the machine to the
right application." Step 1 is already here: one client function reaches two different servers,
and only (host, port) changes. Run it, then look at both servers' logs:
    python -m lab_runner lab8
    docker compose exec chat tail -5 /var/log/chat/chat.log
    docker compose exec flask tail -3 /var/log/flask/flask.log
Steps 2 and 3 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab8` gives one hint
at a time, and `python -m lab_runner watch lab8` checks again each time you save.
By hand: docker compose exec workbench python3 /labs/08_ports/exercise.py
"""

import os
import socket
import uuid

# Each run carries a unique token, so the checks find this run's lines in the servers' logs.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def talk(host, port, message):
    """The one client used for every server: connect to (host, port), send MESSAGE, and read
    the answer until the server closes. Only the address and the port say who answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    # getsockname() is this end (the kernel picked its port), getpeername() the server's end.
    print(f"{host}:{port}: connected, client {sock.getsockname()} -> server {sock.getpeername()}")
    sock.sendall(message.encode())
    sock.shutdown(socket.SHUT_WR)  # "I am done sending": the server answers, then closes
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    sock.close()
    return answer.decode(errors="replace")


# Port 5000 is the Flask server: speak HTTP to it.
answer = talk("flask", 5000, f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n")
print("flask:5000 answered:", answer.splitlines()[0], "...", answer.split("\r\n\r\n")[-1])

# Port 12345 is the chat server: send it a line.
answer = talk("chat", 12345, f"hello from lab 8, run {token}\n")
print("chat:12345 answered:", answer.strip())

# YOUR TURN (step 2): let the kernel pick a port. Bind a listening TCP socket to port 0, ask
# it which port it got (getsockname), connect a second socket to that port, send the token,
# and accept and receive it on the listener's side. Then close the listener, connect to the
# same port again, and catch the error (the program must still exit 0).


# YOUR TURN (step 3): a connection is a 4-tuple. Open two connections to chat:12345 at the
# same time, send a line with the token on each, and print each one's getsockname(): same
# client address, same server address and port; only the client port tells them apart.
