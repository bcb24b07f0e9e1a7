"""asyncio streams: one thread, its event loop on epoll (a numeric host: no resolver thread)."""

import asyncio
import socket

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 12347))
listener.listen()
for _ in range(2):
    conn, addr = listener.accept()
    pending = b""
    while data := conn.recv(1024):
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            conn.sendall(line[::-1] + b"\n")
    conn.close()
listener.close()


async def answer(reader, writer):
    while line := await reader.readline():
        if not line.endswith(b"\n"):
            break
        writer.write(line[:-1][::-1] + b"\n")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(answer, "0.0.0.0", 12348, reuse_address=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
