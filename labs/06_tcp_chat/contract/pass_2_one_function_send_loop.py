"""Variant: a function, send() in a loop until every byte is out, CRLF line ends, SHUT_RDWR."""

import os
import socket

token = os.environ["LAB_TOKEN"]


def talk(lines):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(("chat", 12345))
    for line in lines:
        data = (line + "\r\n").encode()
        while data:
            data = data[sock.send(data) :]
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()


talk([f"hello {token}", f"second line {token}", f"bye now {token}"])
