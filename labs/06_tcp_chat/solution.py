"""Lab 6, the reference solution: the article's client, one line per message, and a chat server
of our own that serves many clients at once and passes each line on to the others.

    python -m lab_runner lab6 --solution
"""

import contextlib
import os
import selectors
import socket as s
import sys
import uuid

token = os.environ.get("LAB_TOKEN") or f"by-hand-{uuid.uuid4().hex[:8]}"


def typed():
    try:
        return input("->")
    except EOFError:
        return "bye"


article = iter([f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"])


def scripted():
    line = next(article)
    print("->" + line)
    return line


next_line = typed if sys.stdin.isatty() else scripted


class client:
    def __init__(self):
        self.cs = s.socket(s.AF_INET, s.SOCK_STREAM)
        self.cs.connect(("chat", 12345))
        self.msg_elems = []
        print("connected from", self.cs.getsockname(), "to", self.cs.getpeername())

    def send_msg(self):
        msg = next_line()
        # Step 2: one line per message. TCP keeps the bytes in order but not the boundaries
        # between send()s; "\n" marks where this message ends. sendall() sends every byte.
        self.cs.sendall((msg + "\n").encode())
        self.msg_elems = msg.split()

    def start_chat(self):
        while "bye" not in self.msg_elems:
            self.send_msg()
        # Step 2: we end it. shutdown() says "no more from me" (the server reads the end of
        # the stream); reading until the server's own end leaves nothing unread (the greeting,
        # relayed lines), so close() ends the connection with a FIN, not an RST.
        self.cs.shutdown(s.SHUT_WR)
        while self.cs.recv(4096):
            pass
        self.cs.close()


def server():
    """Steps 3 and 4: one loop that waits on every socket at once (selectors)."""
    ss = s.socket(s.AF_INET, s.SOCK_STREAM)
    ss.setsockopt(s.SOL_SOCKET, s.SO_REUSEADDR, 1)
    ss.bind(("0.0.0.0", 12345))  # every address of this machine, not only localhost
    ss.listen()
    print("listening on", ss.getsockname())
    sel = selectors.DefaultSelector()
    sel.register(ss, selectors.EVENT_READ)
    clients = {}  # each connection -> [its address, the bytes of a line not yet complete]
    while True:
        for key, _ in sel.select():  # sleeps until a socket has something for us
            if key.fileobj is ss:
                conxn, addr = ss.accept()
                print("Accepted connection from: " + str(addr))
                clients[conxn] = [addr, b""]
                sel.register(conxn, selectors.EVENT_READ)
                continue
            conxn = key.fileobj
            addr = clients[conxn][0]
            try:
                data = conxn.recv(1024)
            except ConnectionError:
                data = b""
            if not data:  # the client left: forget it, or select() says "readable" forever
                print("Connection closed: " + str(addr))
                sel.unregister(conxn)
                conxn.close()
                del clients[conxn]
                continue
            clients[conxn][1] += data
            *lines, clients[conxn][1] = clients[conxn][1].split(b"\n")
            for line in lines:
                text = line.rstrip(b"\r").decode(errors="replace")
                print("This is what the client sent: " + text)
                for other in clients:  # the chat: everyone else hears it, with who said it
                    if other is not conxn:
                        with contextlib.suppress(OSError):  # leaving: its own recv() will say so
                            other.sendall(f"{addr}: {text}\n".encode())


if __name__ == "__main__":
    cl = client()
    cl.start_chat()
    server()
