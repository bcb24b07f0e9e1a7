"""asyncio streams: StreamReader.readuntil() waits for the delimiter, whatever the cuts."""

import asyncio
import os

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()


async def client(reader, writer):
    try:
        while True:
            message = await reader.readuntil(DELIMITER)
            writer.write(message[:-1][::-1] + DELIMITER)
            await writer.drain()
    except asyncio.IncompleteReadError:  # the client closed its end
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(client, "0.0.0.0", 12346)
    async with server:
        await server.serve_forever()


asyncio.run(main())
