"""Lab 6: the second article's chat client, in Python 3, against the chat server.

The client connects to ('chat', 12345) and sends messages until one contains the word
"bye", then closes. Run it with
    python -m lab_runner lab6
and it sends a few lines of its own. Run it by hand, in a terminal, and you type the lines:
    docker compose exec workbench python3 /labs/06_tcp_chat/exercise.py
Run that in two terminals (or add `nc 127.0.0.1 12345` on the host) and the two can chat:
the server passes each line on to the other clients.
"""

import os
import socket as s
import sys
import threading
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"
# By hand in a terminal, you type the lines; under lab_runner (no terminal), a script does.
interactive = sys.stdin.isatty()


class client:
    def __init__(self):
        ## create the client socket
        self.cs = s.socket(s.AF_INET, s.SOCK_STREAM)
        server_addr = ("chat", 12345)
        ## connect to the running server
        self.cs.connect(server_addr)
        self.msg_elems = []
        # Our side of the connection: the workbench's address and a port the kernel picked.
        print("connected from", self.cs.getsockname(), "to", self.cs.getpeername())
        # The server passes on what the others say; a second thread prints it as it comes.
        self.listener = threading.Thread(target=self.show_others, daemon=True)
        self.listener.start()

    def send_msg(self, msg):
        """Send one message to the server, as one line."""
        # TCP is a byte stream, not a series of messages: "\n" marks where this one ends.
        self.cs.sendall((msg + "\n").encode())
        self.msg_elems = msg.split()

    def start_chat(self, next_msg):
        """Send messages to the server until one has the word bye."""
        while "bye" not in self.msg_elems:
            self.send_msg(next_msg())
        # Say we are done sending; the server then closes its side, and show_others ends.
        self.cs.shutdown(s.SHUT_WR)
        self.listener.join(timeout=5)
        self.cs.close()

    def show_others(self):
        """Print what the server relays: "('172.22.0.1', 40312): hi" from each other client."""
        # The server's lines end in "\n"; makefile() reads the stream up to each one.
        for line in self.cs.makefile(encoding="utf-8", errors="replace"):
            if interactive:  # write over the "->" prompt, then show it again below the line
                print("\r" + line + "->", end="", flush=True)
            else:
                print(line, end="", flush=True)


def typed():
    """A line typed at the prompt, as in the article; Ctrl-D counts as bye."""
    try:
        return input("->")
    except EOFError:
        return "bye"


def scripted(lines):
    """The next of LINES, shown as if typed."""
    lines = iter(lines)

    def next_line():
        line = next(lines)
        print("->" + line)
        return line

    return next_line


if __name__ == "__main__":
    cl = client()
    if interactive:
        cl.start_chat(typed)
    else:  # the article's conversation, with this run's token in each line
        cl.start_chat(scripted([f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]))
    print("bye: connection closed")
