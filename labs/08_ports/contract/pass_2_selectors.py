"""Variant: the port-0 listener is non-blocking under selectors: accept() and recv() when readable."""

import os
import selectors
import socket

token = os.environ["LAB_TOKEN"]


def talk(host, port, data):
    with socket.create_connection((host, port)) as s:
        s.sendall(data.encode())
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass


talk("flask", 5000, f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n")
talk("chat", 12345, f"hello from lab 8, run {token}\n")

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
listener.setblocking(False)
port = listener.getsockname()[1]
sel = selectors.DefaultSelector()
sel.register(listener, selectors.EVENT_READ)
c = socket.create_connection(("127.0.0.1", port))
c.sendall(f"via {port} {token}".encode())
got = b""
while not got:
    for key, _ in sel.select():
        if key.fileobj is listener:
            conn, addr = listener.accept()
            print("accepted", addr)
            sel.register(conn, selectors.EVENT_READ)
        else:
            got = key.fileobj.recv(100)
            print("received", got)
            sel.unregister(key.fileobj)
            key.fileobj.close()
sel.close()
c.close()
listener.close()
try:
    socket.create_connection(("127.0.0.1", port))
except ConnectionRefusedError as err:
    print("refused:", err)
