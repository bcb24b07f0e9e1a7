"""Variant: asyncio streams on the abstract name: start_unix_server() and open_unix_connection()."""

import asyncio
import os
import socket

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(path)
first.listen()
first.close()

again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    again.bind(path)
except OSError as err:
    print("taken:", err)
os.unlink(path)
again.bind(path)
again.listen()
again.close()

name = f"\0lab5-{token}"


async def main():
    got = asyncio.get_running_loop().create_future()

    async def handle(reader, writer):
        got.set_result(await reader.read())
        writer.close()

    server = await asyncio.start_unix_server(handle, path=name)
    reader, writer = await asyncio.open_unix_connection(path=name)
    writer.write(f"hi {token}".encode())
    writer.write_eof()
    print(await got)
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
