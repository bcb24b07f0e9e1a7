"""asyncio streams: one thread, its event loop on epoll (a numeric host: no resolver thread)."""

import asyncio
import os
import socket

END = os.environ.get("LAB_DELIMITER", "\n").encode()

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 12347))
listener.listen()
for _ in range(2):
    conn, addr = listener.accept()
    pending = b""
    while data := conn.recv(1024):
        pending += data
        while END in pending:
            line, pending = pending.split(END, 1)
            conn.sendall(line[::-1] + END)
    conn.close()
listener.close()


async def answer(reader, writer):
    try:
        while True:
            line = await reader.readuntil(END)  # a whole line, however it came in
            writer.write(line[: -len(END)][::-1] + END)
            await writer.drain()
    except asyncio.IncompleteReadError:  # the client left
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(answer, "0.0.0.0", 12348, reuse_address=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
