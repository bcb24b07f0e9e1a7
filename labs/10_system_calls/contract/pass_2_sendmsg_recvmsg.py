"""Variant: the wait with select.select(), then sendmsg() and recvmsg() until b''."""

import os
import select
import socket

token = os.environ["LAB_TOKEN"]
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()


def fetch(sock):
    sock.sendall(request)
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    return answer


with socket.create_connection(("flask", 5000)) as first:
    print(fetch(first)[:15])

nb = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
nb.setblocking(False)
nb.connect_ex(("flask", 5000))
select.select([], [nb], [], 5)
print("SO_ERROR:", nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
nb.setblocking(True)
nb.sendmsg([request])
answer = b""
while data := nb.recvmsg(4096)[0]:
    answer += data
nb.close()
print(answer[:15])
