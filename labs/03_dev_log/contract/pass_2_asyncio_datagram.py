"""Variant: asyncio's datagram endpoint on a Unix datagram socket connected to /dev/log."""

import asyncio
import os
import socket
from logging.handlers import SysLogHandler

token = os.environ["LAB_TOKEN"]
pri = (
    SysLogHandler.facility_names[os.environ["LAB_FACILITY"]] * 8
    + SysLogHandler.priority_names[os.environ["LAB_SEVERITY"]]
)


async def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.connect("/dev/log")
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        asyncio.DatagramProtocol, sock=sock
    )
    transport.sendto(f"*****hello-{token}*****".encode())
    transport.sendto(f"<{pri}>lab3: through asyncio, run {token}".encode())
    await asyncio.sleep(0.1)
    transport.close()


asyncio.run(main())
