"""Variant: asyncio streams for step 2: two writer.write() calls, a drain() after each."""

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


async def in_pieces():
    reader, writer = await asyncio.open_connection("flask", 5000)
    writer.write(f"GET /?run={token}&step=2 HTTP/1.1\r\n".encode())
    await writer.drain()
    writer.write(b"Host: flask\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    return answer


print(asyncio.run(in_pieces())[:20])
