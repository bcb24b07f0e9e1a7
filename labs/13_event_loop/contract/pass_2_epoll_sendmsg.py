"""select.epoll() by hand, recvmsg() and sendmsg(), a class per client."""

import os
import select
import socket

END = os.environ.get("LAB_DELIMITER", "\n").encode()

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 12347))
listener.listen()
for _ in range(2):
    conn, addr = listener.accept()
    pending = b""
    while data := conn.recv(1024):
        pending += data
        while END in pending:
            line, pending = pending.split(END, 1)
            conn.sendall(line[::-1] + END)
    conn.close()
listener.close()


class Client:
    def __init__(self, conn):
        self.conn, self.pending = conn, b""

    def feed(self, data):
        self.pending += data
        *lines, self.pending = self.pending.split(END)
        if lines:
            self.conn.sendmsg([line[::-1] + END for line in lines])


server = socket.create_server(("0.0.0.0", 12348), backlog=64, reuse_port=False)
server.setblocking(False)
ep = select.epoll()
ep.register(server.fileno(), select.EPOLLIN)
clients = {}
while True:
    for fd, _events in ep.poll():
        if fd == server.fileno():
            conn, _ = server.accept()
            conn.setblocking(False)
            clients[conn.fileno()] = Client(conn)
            ep.register(conn.fileno(), select.EPOLLIN)
            continue
        client = clients[fd]
        data, *_ = client.conn.recvmsg(4096)
        if data:
            client.feed(data)
        else:
            ep.unregister(fd)
            client.conn.close()
            del clients[fd]
