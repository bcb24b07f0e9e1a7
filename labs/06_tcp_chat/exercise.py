"""Lab 6: the second article's chat, client and server, in Python 3.

The client connects to the chat server at ('chat', 12345) and sends messages until one has the
word "bye". Then this file runs the article's server on port 12345, here in the workbench, and
waits for clients.

Step 1 is the article's experiment, and this file already does it: run it, then look.
    python -m lab_runner lab6
    docker compose exec chat tail /var/log/chat/chat.log
Steps 2, 3 and 4 are yours: see "YOUR TURN" below. `python -m lab_runner hint lab6` gives one
hint at a time, and `python -m lab_runner watch lab6` checks again each time you save.
By hand, in a terminal, you type the lines at the article's "->" prompt:
    docker compose exec workbench python3 /labs/06_tcp_chat/exercise.py
and once the client has said bye, a second terminal can talk to the server part:
    docker compose exec workbench nc 127.0.0.1 12345
"""

import os
import socket as s
import sys
import uuid

# Each run carries a unique token, so the checks find this run's lines and not an old one.
token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def typed():
    """A line typed at the article's prompt; Ctrl-D counts as bye."""
    try:
        return input("->")
    except EOFError:
        return "bye"


# Under lab_runner there is no terminal (input() would get EOFError at once), so the
# article's three lines are "typed" for you, with this run's token in each.
article = iter([f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"])


def scripted():
    line = next(article)
    print("->" + line)
    return line


next_line = typed if sys.stdin.isatty() else scripted


## client code
class client:
    def __init__(self):
        ## create the client socket
        self.cs = s.socket(s.AF_INET, s.SOCK_STREAM)
        server_addr = ("chat", 12345)  # the chat container (the article: 'localhost')
        ## connect to the running server
        self.cs.connect(server_addr)
        self.msg_elems = []
        # Not in the article: our own end of the connection, the workbench's address and a
        # port the kernel picked for us. The server logs the same pair when it accepts.
        print("connected from", self.cs.getsockname(), "to", self.cs.getpeername())

    def send_msg(self):
        """A method to send user input to the server"""
        msg = next_line()
        # YOUR TURN (step 2): TCP is a stream of bytes, not of messages: the server cannot
        # see where one send() ends and the next begins. It reads lines, so end each message
        # with "\n" (and send all of it: look at sendall()).
        self.cs.send(msg.encode())
        self.msg_elems = msg.split()

    def start_chat(self):
        """A method to send messages to the server until the user types bye"""
        while "bye" not in self.msg_elems:
            self.send_msg()
        # Not in the article: first say "no more from me" (shutdown sends a FIN), then close.
        # The chat server greets every client, and this client never reads the greeting;
        # close() alone, with unread bytes on the socket, resets the connection (an RST)
        # instead of ending it, and the server loses whatever it had not read yet.
        # YOUR TURN (step 2): keep ending the connection yourself, here, after bye.
        self.cs.shutdown(s.SHUT_WR)
        self.cs.close()


## server code
def server():
    ## create the server socket
    ss = s.socket(s.AF_INET, s.SOCK_STREAM)
    # Not in the article: lets the next run bind the port at once, even while the kernel
    # still keeps the last run's connections in TIME_WAIT.
    ss.setsockopt(s.SOL_SOCKET, s.SO_REUSEADDR, 1)
    server_addr = ("localhost", 12345)
    ## bind the socket to an IP and port
    ss.bind(server_addr)
    ## start listening on that socket
    ss.listen(1)
    ## accept incoming requests
    conxn, addr = ss.accept()
    print("Accepted connection from: " + str(addr))
    while True:
        ## receive data from the client
        data = conxn.recv(1024).decode()
        if data:
            print("This is what the client sent: " + str(data))


# YOUR TURN (step 3): write your own server in place of the article's: listen on port 12345
# on every address (0.0.0.0), print "Accepted connection from: (ip, port)" for each client
# and what it sends, and stop reading a client once it has left: recv() then returns b""
# at once, again and again, and the article's loop spins on it at full speed.
#
# YOUR TURN (step 4): serve many clients at once, and pass each line a client sends on to
# all the other clients, like the chat server does. One accept() and one recv() loop cannot:
# use the selectors module (one loop that waits on every socket) or a thread per client.

if __name__ == "__main__":
    cl = client()
    cl.start_chat()
    server()
