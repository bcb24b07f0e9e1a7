"""Variant: asyncio streams; open_connection() to a number makes no lookup, and is refused the same."""

import asyncio
import os

token = os.environ["LAB_TOKEN"]
FLASK = (os.environ.get("LAB_FLASK_ADDR", "flask"), 5000)
CHAT = (os.environ.get("LAB_CHAT_ADDR", "chat"), 12345)
LINES = int(os.environ.get("LAB_LINES", "10"))
request = f"GET /?run={token} HTTP/1.1\r\nHost: flask\r\nConnection: close\r\n\r\n".encode()


async def main():
    delay = 0.1
    for _ in range(7):
        try:
            reader, writer = await asyncio.open_connection(*FLASK)
            break
        except ConnectionRefusedError:
            await asyncio.sleep(delay)
            delay *= 2
    else:
        raise SystemExit("flask never answered")
    writer.write(request)
    await writer.drain()
    print((await reader.read())[:15])
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
