"""A connect()ed UDP socket with send/recv, and select() as the ACK's timer."""

import os
import select
import socket

COUNT = int(os.environ["LAB_COUNT"]) if "LAB_COUNT" in os.environ else 30

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
    sock.connect(("127.0.0.1", 9915))  # send/recv to and from the receiver only
    for number in range(1, COUNT + 1):
        datagram = b"%d hello" % number
        acked = False
        while not acked:
            sock.send(datagram)
            while select.select([sock], [], [], 0.15)[0]:  # an answer within 150 ms
                if sock.recv(64) == b"ACK %d" % number:
                    acked = True
                    break
print("all acknowledged")
