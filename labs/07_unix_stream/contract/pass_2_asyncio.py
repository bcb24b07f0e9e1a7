"""Variant: asyncio.start_unix_server(); the handler asks SO_PEERCRED of the transport's socket."""

import asyncio
import os
import socket
import struct
import sys

token = os.environ["LAB_TOKEN"]
path = f"/tmp/{token}.sock"
CLIENT = """
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
c.sendall(sys.argv[2].encode())
c.close()
"""


async def main():
    done = asyncio.get_running_loop().create_future()

    async def handle(reader, writer):
        sock = writer.get_extra_info("socket")
        pid, uid, gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        print("peer pid", pid, "uid", uid, "gid", gid)
        print(await reader.read())
        writer.close()
        done.set_result(None)

    server = await asyncio.start_unix_server(handle, path=path)
    client = await asyncio.create_subprocess_exec(sys.executable, "-c", CLIENT, path, f"hello {token}")
    await done
    await client.wait()
    server.close()
    await server.wait_closed()


asyncio.run(main())
