"""Variant: an asyncio streams client: write each line, write_eof() (shutdown), then close."""

import asyncio
import os

token = os.environ["LAB_TOKEN"]


async def main():
    reader, writer = await asyncio.open_connection("chat", 12345)
    for line in [f"hi, this is {token}", f"how are you ({token})", f"ok bye ({token})"]:
        writer.write(f"{line}\n".encode())
    await writer.drain()
    writer.write_eof()
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
