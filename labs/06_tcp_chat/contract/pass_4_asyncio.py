"""Variant: asyncio streams, a set of writers, the sender's address in front of each line."""

import asyncio
import os
import socket

token = os.environ["LAB_TOKEN"]
with socket.create_connection(("chat", 12345)) as c:
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        c.sendall(f"{line}\n".encode())
    c.shutdown(socket.SHUT_WR)

writers = set()


async def handle(reader, writer):
    addr = writer.get_extra_info("peername")
    print("Accepted connection from:", addr, flush=True)
    writers.add(writer)
    while line := await reader.readline():
        print(line.decode(errors="replace").rstrip(), flush=True)
        for other in writers - {writer}:
            other.write(f"{addr}: ".encode() + line)
    writers.discard(writer)
    writer.close()


async def main():
    server = await asyncio.start_server(handle, "0.0.0.0", 12345, reuse_address=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
