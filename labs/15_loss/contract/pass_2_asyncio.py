"""asyncio: a DatagramProtocol that hands ACKs to futures, and wait_for() as the timer."""

import asyncio
import os

COUNT = int(os.environ.get("LAB_COUNT", "30"))


class Sender(asyncio.DatagramProtocol):
    def __init__(self):
        self.waiting = {}

    def datagram_received(self, data, addr):
        word, _, number = data.decode().partition(" ")
        future = self.waiting.get(int(number)) if word == "ACK" and number.isdigit() else None
        if future and not future.done():
            future.set_result(True)


async def main():
    loop = asyncio.get_running_loop()
    transport, sender = await loop.create_datagram_endpoint(Sender, remote_addr=("127.0.0.1", 9915))
    for number in range(1, COUNT + 1):
        sender.waiting[number] = loop.create_future()
        while True:
            transport.sendto(f"{number}|asyncio".encode())
            try:
                await asyncio.wait_for(asyncio.shield(sender.waiting[number]), 0.1)
                break
            except TimeoutError:
                continue
    transport.close()


asyncio.run(main())
