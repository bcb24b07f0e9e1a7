"""Variant: asyncio streams for step 2 (reader.read() until b'', the end of the stream)."""

import asyncio
import os
import socket

token = os.environ["LAB_TOKEN"]
first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("flask", 5000))
first.send(f"hello-{token}".encode())
first.shutdown(socket.SHUT_WR)
print(first.recv(4096)[:60])
first.close()


async def main():
    reader, writer = await asyncio.open_connection("flask", 5000)
    writer.write(f"hello-{token}\r\n".encode())
    await writer.drain()
    answer = b""
    while chunk := await reader.read(4096):
        answer += chunk
    writer.close()
    await writer.wait_closed()
    print(answer[:80])


asyncio.run(main())
