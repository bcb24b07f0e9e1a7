"""socketserver, a thread per client: the handler's rfile is a buffered file; a message is the
bytes up to the delimiter."""

import os
import socketserver

DELIMITER = os.environ.get("LAB_DELIMITER", "|").encode()


class Reverser(socketserver.StreamRequestHandler):
    def handle(self):
        message = bytearray()
        while byte := self.rfile.read(1):
            if byte != DELIMITER:
                message += byte
                continue
            self.wfile.write(bytes(message[::-1]) + DELIMITER)
            message.clear()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server(("0.0.0.0", 12346), Reverser) as server:
    server.serve_forever()
