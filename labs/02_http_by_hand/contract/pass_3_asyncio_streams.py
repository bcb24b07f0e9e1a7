"""Variant: asyncio streams: readuntil() the empty line, then readexactly(Content-Length)."""

import asyncio
import os
import socket

token = os.environ["LAB_TOKEN"]


def whole(sock):
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    return got


with socket.create_connection(("flask", 5000)) as s:
    s.sendall(f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode())
    print(whole(s)[:20])

with socket.create_connection(("flask", 5000)) as s:  # step 2: in pieces
    s.sendall(f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
    s.sendall(b"Host: flask\r\nConnection: close\r\n\r\n")
    print(whole(s)[:20])


async def by_length():
    reader, writer = await asyncio.open_connection("flask", 5000)
    writer.write(f"GET /?run={token}&len=1 HTTP/1.1\r\nHost: flask\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(x.split(b":", 1)[1]) for x in head.split(b"\r\n") if x.lower().startswith(b"content-length:")
    )
    body = await reader.readexactly(length)
    writer.close()
    await writer.wait_closed()
    return body


print(asyncio.run(by_length()))
