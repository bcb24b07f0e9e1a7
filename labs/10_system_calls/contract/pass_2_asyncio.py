"""Variant: asyncio does the non-blocking connect (epoll, then SO_ERROR) for us."""

import asyncio
import os
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


async def main():
    reader, writer = await asyncio.open_connection("flask", 5000)
    writer.write(request)
    await writer.drain()
    print((await reader.read())[:15])
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
