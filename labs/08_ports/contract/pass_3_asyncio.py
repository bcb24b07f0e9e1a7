"""Variant: two asyncio connections to chat open at once, each asked its sockname."""

import asyncio
import os
import socket

token = os.environ["LAB_TOKEN"]


def talk(host, port, data):
    with socket.create_connection((host, port)) as s:
        s.sendall(data.encode())
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass


talk("flask", 5000, f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n")
talk("chat", 12345, f"hello from lab 8, run {token}\n")

listener = socket.create_server(("127.0.0.1", 0))
port = listener.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port))
c.sendall(f"via {port} {token}".encode())
conn, _ = listener.accept()
print(conn.recv(100))
conn.close()
c.close()
listener.close()
print(socket.socket().connect_ex(("127.0.0.1", port)))


async def both():
    (ra, wa), (rb, wb) = await asyncio.gather(
        asyncio.open_connection("chat", 12345), asyncio.open_connection("chat", 12345)
    )
    for name, writer in (("a", wa), ("b", wb)):
        print(name, writer.get_extra_info("socket").getsockname())
        writer.write(f"{name} says {token}\n".encode())
    for reader, writer in ((ra, wa), (rb, wb)):
        await writer.drain()
        writer.write_eof()
        await reader.read()
        writer.close()


asyncio.run(both())
