"""One way to show text that lab_runner did not write (an exercise's output, a folder name, a
byte a server logged): whatever it holds, it cannot take over a terminal, break a CSV row or
make XML invalid. What is not printable is written as an escape: \\x1b, \\u200b; a byte that
was not UTF-8 (read with surrogateescape) as \\xNN, the byte itself."""

from __future__ import annotations

import re

# Line ends and tabs are kept where text keeps its lines; everything else is printable or not.
_LINES = "\t\n\r"
_PLAIN = re.compile(r"[ -~]*")  # printable ASCII: the common case, no work to do


def escaped(text: str, lines: bool = True) -> str:
    """TEXT with every character that is not printable written as an escape; with LINES (the
    default) tabs and line ends stay, else they are escaped too (a one-line cell, a name)."""
    if _PLAIN.fullmatch(text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch.isprintable() or (lines and ch in _LINES):
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out)


def python_bytes(data: bytes) -> str:
    """Bytes as a learner reads them in Python, without the quotes: b'hi\\r\\n' -> 'hi\\\\r\\\\n'."""
    return repr(bytes(data))[2:-1]


def one_line(text: str) -> str:
    """TEXT escaped to stay on one line: a folder name, a CSV cell, an XML attribute."""
    return escaped(text, lines=False)
