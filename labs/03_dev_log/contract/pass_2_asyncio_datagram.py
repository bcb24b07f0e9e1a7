"""Variant: asyncio's datagram endpoint on a Unix datagram socket connected to /dev/log."""

import asyncio
import os
import socket

token = os.environ["LAB_TOKEN"]


async def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.connect("/dev/log")
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        asyncio.DatagramProtocol, sock=sock
    )
    transport.sendto(f"*****hello-{token}*****".encode())
    transport.sendto(f"<132>lab3: through asyncio, run {token}".encode())
    await asyncio.sleep(0.1)
    transport.close()


asyncio.run(main())
