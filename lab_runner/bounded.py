"""The head and the tail of a stream that may be endless (an exercise's output): lab_runner's
memory does not grow with what an exercise prints."""

from __future__ import annotations

import collections

KEEP_BYTES = 16 * 1024  # of the output: this much of its head, and as much of its tail


class Bounded:
    """The head and the tail of a stream, and how much between them was dropped."""

    def __init__(self, keep: int = KEEP_BYTES) -> None:
        self.keep = keep
        self.head = bytearray()
        self.tail: collections.deque[bytes] = collections.deque()
        self.tail_size = 0
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.keep - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail.append(data[-self.keep :])
            self.tail_size += len(self.tail[-1])
            while self.tail_size - len(self.tail[0]) >= self.keep:
                self.tail_size -= len(self.tail.popleft())

    def skip(self, n: int) -> None:
        """N bytes that lab-run did not pass on (past its own head): they count as dropped."""
        self.total += n
        if self.tail:  # what came before the gap is no longer the tail
            self.tail.clear()
            self.tail_size = 0

    @property
    def dropped(self) -> int:
        return self.total - len(self.head) - min(self.tail_size, self.keep)

    def text(self) -> str:
        tail = b"".join(self.tail)[-self.keep :] if self.tail else b""
        head = self.head.decode("utf-8", "backslashreplace")
        if not self.dropped:
            return head + tail.decode("utf-8", "backslashreplace")
        return (
            head
            + f"\n[... {self.dropped:,} bytes of output not kept ...]\n"
            + tail.decode("utf-8", "backslashreplace")
        )
