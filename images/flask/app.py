"""The first article's Flask app, in Python 3: one route that prints `Done !` and answers.

The answer's head goes out first and its body BODY_AFTER seconds later, in a segment of its
own. Over a quiet loopback they would nearly always arrive together, and a client that reads
once, ignoring Content-Length, would look right by luck (lab 2, step 3, passed such a reader
3 runs in 5). Apart, TCP's lesson is seen every time: one recv() may hold only part of what
was sent, and the head's Content-Length says how much more to read.
"""

import time

from flask import Flask, Response

app = Flask(__name__)
BODY = b"Hello World!"
BODY_AFTER = 0.1  # seconds: long past a client's wake-up, short for a learner


@app.route("/")
def hello():
    print("Done !", flush=True)

    def head_then_body():
        yield b""  # Werkzeug sends the status line and headers at the first write, then flushes
        time.sleep(BODY_AFTER)
        yield BODY

    # Content-Length given, so the body is sent as it is, not in chunks (Transfer-Encoding).
    return Response(head_then_body(), content_type="text/html; charset=utf-8",
                    headers={"Content-Length": str(len(BODY))})  # fmt: skip


if __name__ == "__main__":
    app.run()
