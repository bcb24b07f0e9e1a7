"""Variant: after fork(), each process runs asyncio streams on its end of the pair
(open_unix_connection(sock=...)).
"""

import asyncio
import os
import socket
import struct
import subprocess
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
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
client = subprocess.Popen([sys.executable, "-c", CLIENT, path, f"hello {token}"])
conn, _ = server.accept()
pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
print("client pid", pid, "uid", uid, "gid", gid, "(spawned", client.pid, ")")
data = b""
while chunk := conn.recvmsg(1024)[0]:
    data += chunk
print(data)
conn.close()
server.close()
client.wait()


async def talk(end, first):
    reader, writer = await asyncio.open_unix_connection(sock=end)
    if first:
        writer.write(f"from the parent {token}".encode())
        await writer.drain()
    got = await reader.read(100)
    print(os.getpid(), "got", got)
    if not first:
        writer.write(b"thanks " + got)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


a, b = socket.socketpair()
if os.fork() == 0:
    a.close()
    asyncio.run(talk(b, first=False))
    os._exit(0)
b.close()
asyncio.run(talk(a, first=True))
os.wait()
