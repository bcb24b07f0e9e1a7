"""True order: a server's line is drawn no earlier than the last byte of the request it answers.

Flask's log has whole seconds, so its lines are placed by their cause, and say so: lab 2's
200 line once the empty line ended the request (not after the request line's piece, 0.3 s
earlier), lab 1's 400 once the line end, or the end of the stream, reached the server."""

from recorded_runs import record


def flask_lines(rec: dict) -> list[dict]:
    return [e for e in rec["events"] if e["kind"] == "log" and e["lane"] == "flask"]


def test_lab2_flask_answers_a_request_in_pieces_only_after_its_empty_line():
    rec, d = record("lab2-solution")
    (line,) = [e for e in flask_lines(rec) if "&step=2 " in e["text"]]
    pieces = [e for e in rec["events"] if e["kind"] == "send" and e["lane"] == line["of"]]
    assert len(pieces) == 2 and pieces[1]["bytes"].endswith("\\r\\n\\r\\n")
    assert pieces[1]["t"] - pieces[0]["t"] > 0.25  # the solution waits 0.3 s between them
    assert line["t"] >= pieces[1]["t"] and line["id"] > pieces[1]["id"]
    assert line["placed"].startswith("by cause: after the empty line")


def test_lab1_a_line_with_no_line_end_is_answered_after_the_end_of_the_stream():
    rec, _ = record("lab1-starter")
    (shutdown,) = [e for e in rec["events"] if e["kind"] == "shutdown"]
    lines = flask_lines(rec)
    assert lines and all(e["t"] > shutdown["t"] and "end of the stream" in e["placed"] for e in lines)
    rec, _ = record("lab1-solution")
    ended = [e for e in flask_lines(rec) if "after the line end" in e["placed"]]
    (send,) = [e for e in rec["events"] if e["kind"] == "send" and e["bytes"].endswith("\\r\\n")]
    assert ended and all(e["t"] >= send["t"] and e["of"] == send["lane"] for e in ended)
