"""Mistake: shutdown(SHUT_WR), a pause, then close(), without reading until b''. The talker ends
in the pause, so no RST goes out: the kernel has put the connection in TIME_WAIT already. Clean
by timing alone (a slower talker gets an RST); the trace shows the end was never read.
says: close() with bytes unread"""

import os
import socket
import threading
import time

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
talking = start_talker(PORT)
conn, _ = listener.accept()
conn.sendall(b"ok " + conn.recv(4096).split(b"\n")[0] + b"\n")
conn.shutdown(socket.SHUT_WR)
time.sleep(0.5)  # the talker reads the answer and our FIN, and closes: its FIN comes in the pause
conn.close()
talking.join()
listener.close()
