"""socketserver, two threading servers; the prefix and the body read with recv_into() into a
memoryview until each is full."""

import os
import socketserver
import threading

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()
WIDTH = int(os.environ.get("LAB_PREFIX", "4"))


def fill(sock, size):
    """SIZE bytes from SOCK, or None at the end of the stream."""
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            return None
        got += n
    return bytes(buffer)


class Delimited(socketserver.BaseRequestHandler):
    def handle(self):
        pending = b""
        while data := self.request.recv(4096):
            pending += data
            while (end := pending.find(DELIMITER)) >= 0:
                self.request.sendall(pending[:end][::-1] + DELIMITER)
                pending = pending[end + 1 :]


class Sized(socketserver.BaseRequestHandler):
    def handle(self):
        while (head := fill(self.request, WIDTH)) is not None:
            body = fill(self.request, int.from_bytes(head, "big"))
            if body is None:
                return
            self.request.sendall(head + body[::-1])


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


sized = Server(("0.0.0.0", 12347), Sized)
threading.Thread(target=sized.serve_forever, daemon=True).start()
Server(("0.0.0.0", 12346), Delimited).serve_forever()
