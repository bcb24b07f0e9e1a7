"""A thread reads the ACKs (SO_RCVTIMEO on a blocking socket, os.read on its descriptor) while
the main thread sends with os.write on the connected socket and waits on an Event."""

import os
import socket
import struct
import threading

COUNT = int(os.environ.get("LAB_COUNT", "30"))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", 9915))
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 200_000))
acks = {n: threading.Event() for n in range(1, COUNT + 1)}
done = threading.Event()


def read_acks():
    while not done.is_set():
        try:
            data = os.read(sock.fileno(), 64)
        except BlockingIOError:  # SO_RCVTIMEO ran out: look at done, read on
            continue
        if data.startswith(b"ACK ") and int(data[4:]) in acks:
            acks[int(data[4:])].set()


reader = threading.Thread(target=read_acks)
reader.start()
for number in range(1, COUNT + 1):
    while not acks[number].is_set():
        os.write(sock.fileno(), f"{number} from a thread".encode())
        acks[number].wait(0.15)
done.set()
reader.join()
sock.close()
