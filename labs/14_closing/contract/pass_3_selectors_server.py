"""Step 3 non-blocking, with selectors: accept, answer, shutdown(SHUT_WR), drain until b''."""

import os
import selectors
import socket
import threading

token = os.environ.get("LAB_TOKEN", "by-hand")
PORT = int(os.environ.get("LAB_PORT", "24680"))
SIZE = int(os.environ.get("LAB_SIZE", "100000"))


def reverser(listener):
    conn, _ = listener.accept()
    with listener, conn:
        got = b""
        while chunk := conn.recv(65536):
            got += chunk
        try:
            conn.sendall((got[::-1] * (SIZE // max(1, len(got)) + 1))[:SIZE])
        except OSError as err:
            print("server:", err)


def start_reverser():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = threading.Thread(target=reverser, args=(listener,))
    server.start()
    return listener.getsockname(), server


def talker(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            c.sendall(f"hello-{token}\n".encode() + b"." * SIZE)
            while c.recv(65536):
                pass
    except OSError as err:
        print("talker:", err)


def start_talker(port):
    client = threading.Thread(target=talker, args=(port,))
    client.start()
    return client


address, server = start_reverser()
client = socket.socket()
client.connect(address)
client.sendall(f"hello-{token}".encode())
client.close()
server.join()

address, server = start_reverser()
with socket.create_connection(address) as client:
    client.sendall(f"hello again-{token}".encode())
    client.shutdown(socket.SHUT_WR)
    while client.recv(65536):
        pass
server.join()


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", PORT))
listener.listen()
listener.setblocking(False)
talking = start_talker(PORT)
sel = selectors.DefaultSelector()
sel.register(listener, selectors.EVENT_READ)
answered = False
while sel.get_map():
    for key, _ in sel.select(timeout=5):
        if key.fileobj is listener:
            conn, _ = listener.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            sel.unregister(listener)
            continue
        data = key.fileobj.recv(65536)
        if not answered:
            key.fileobj.sendall(b"ok " + data.split(b"\n")[0] + b"\n")
            key.fileobj.shutdown(socket.SHUT_WR)
            answered = True
        elif not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
sel.close()
listener.close()
talking.join()
