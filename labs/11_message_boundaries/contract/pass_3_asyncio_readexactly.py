"""asyncio streams on both ports: readuntil() for the delimiter, readexactly() for the prefix
and for the body it announces."""

import asyncio
import os

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))


async def delimited(reader, writer):
    try:
        while True:
            message = (await reader.readuntil(DELIMITER))[:-1]
            writer.write(message[::-1] + DELIMITER)
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


async def sized(reader, writer):
    try:
        while True:
            size = int.from_bytes(await reader.readexactly(WIDTH), "big")
            reply = (await reader.readexactly(size))[::-1]
            writer.write(len(reply).to_bytes(WIDTH, "big") + reply)
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


async def main():
    second = await asyncio.start_server(sized, "0.0.0.0", 12347)
    first = await asyncio.start_server(delimited, "0.0.0.0", 12346)
    async with first, second:
        await asyncio.gather(first.serve_forever(), second.serve_forever())


asyncio.run(main())
