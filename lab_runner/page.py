"""The exchange as one self-contained page: `--html FILE`, and .lab-runs/<lab>.html.

The page follows the text report's order (the run, its steps with PASS/FAIL, and for the first
failing step what was expected, what was observed and the hint), then shows the byte diffs
of what was sent against what each server heard, then the exchange itself as a sequence
diagram: the lanes as columns, each call, packet and server line as a row. Its CSS and JS
are inline and it fetches nothing, so it opens from file:// and can be mailed or archived
as one file (`grade` keeps one per run).

    path.write_text(page.html(result))
"""

from __future__ import annotations

import html as h
import json
from pathlib import Path

from lab_runner.paths import atomic_write
from lab_runner.report import readable
from lab_runner.verdict import LabResult

ASSETS = Path(__file__).parent
MAX_DIFFS = 8
# A page that follows `watch`: every so often it loads the small script `watch` writes beside
# it (<lab>.latest.js, naming the latest run), and reloads when that names another run. A
# script beside a file:// page may be loaded where a fetch() of it may not; nothing leaves the
# machine, and a page that is not watched simply finds no newer run.
FOLLOW = """<script>
(function () {
  const mine = document.querySelector('meta[name="lab-run"]').content;
  window.labRunLatest = function (token) { if (token && token !== mine) location.reload(); };
  setInterval(function () {
    const s = document.createElement("script");
    s.src = "%s?" + Date.now();
    s.onload = s.onerror = function () { s.remove(); };
    document.head.appendChild(s);
  }, %d);
})();
</script>"""


def _data(result: LabResult) -> dict:
    pinned, failing = result.decided.pins, result.decided.failing_check
    lessons = [
        {"step": n, "n": k, "of": len(ids), "item": result.lab.steps[n - 1].lesson[k - 1], "event": i}
        for n, ids in result.decided.lessons.items()
        for k, i in enumerate(ids, 1)
        if i is not None
    ]
    return {
        "lessons": lessons,
        "lab": result.lab.key,
        "token": result.token,
        "exchange": result.exchange,
        "checks": [
            {
                "name": c.name,
                "title": readable(c.name),
                "step": c.step,
                "passed": c.passed,
                "number": _number(result, c.name),
                "reason": c.reason,
                "events": pinned.get(c.name, ([], None))[0],
                "marked": pinned.get(c.name, ([], None))[1] if c.name == failing else None,
            }
            for c in result.checks
        ],
    }


def _number(result: LabResult, name: str) -> str:
    """A check's short name on the diagram: its step, and its place in that step ("2.1")."""
    for n, step in enumerate(result.lab.steps, 1):
        if name in step.checks:
            return f"{n}.{step.checks.index(name) + 1}"
    return "?"


def _steps(result: LabResult, data: dict, hints_shown: int) -> str:
    marks = {c["name"]: c for c in data["checks"]}
    decided = result.decided
    out = ['<ol class="steps">']
    for step in result.steps:
        word = "PASS" if step.passed else "FAIL"
        out.append(
            f'<li class="step {word.lower()}" id="step-{step.number}"><div class="title">'
            f'<span class="word">{word}</span>step {step.number} · {h.escape(step.step.title)}</div>'
            '<ul class="checks">'
        )
        for check in step.checks:
            mark = marks[check.name]
            links = "".join(f'<a data-ev="{i}">#{i}</a>' for i in mark["events"][:12])
            first = check.name == decided.failing_check
            css = ("pass" if check.passed else "fail") + (" first" if first else "")
            out.append(
                f'<li class="check {css}" data-check="{check.name}">{"✓" if check.passed else "✗"} '
                f'<span class="num">{mark["number"]}</span> {h.escape(readable(check.name))}'
                f'<span class="evs">{links}</span></li>'
            )
        out.append("</ul>")
        if step.number == decided.failing_step:
            told = [f"<b>expected</b>{h.escape(' '.join(step.step.goal.split()))}"]
            told += [f"<b>observed</b>{h.escape(c.reason)}" for c in step.checks if not c.passed]
            for label, hint in decided.hint_lines(hints_shown):
                told.append(f"<b>{label}</b>{h.escape(hint)}")
            unmarked = [c for c in step.checks if not c.passed and not marks[c.name]["events"]]
            if unmarked:
                told.append(
                    "<b>in the exchange</b>no event matched this check: the evidence it wants is missing"
                )
            out.append(f'<div class="told">{"<br>".join(told)}</div>')
        out.append("</li>")
    return "\n".join(out + ["</ol>"])


def _diffs(result: LabResult) -> str:
    joined = [e for e in result.exchange.get("events", []) if e.get("diff")]
    if not joined:
        return ""
    # Red only where a failing check judged the line: a passing run's difference (lab 3's two
    # stars, taken for a header) is the lesson, not a fault.
    failing = {c.name for c in result.checks if not c.passed}
    blamed = {i for name, (ids, _) in result.decided.pins.items() if name in failing for i in ids}
    differ = [e for e in joined if e["diff"]["at"] is not None]
    same = [e for e in joined if e["diff"]["at"] is None]
    out = ["<h2>Bytes: what was sent, and what the server heard</h2>"]
    for e in differ[:MAX_DIFFS]:
        d = e["diff"]
        relay = d.get("kind") == "relay"  # a line the exercise's own server passed on
        said, heard = ("got:  ", "sent: ") if relay else ("sent:  ", "heard: ")
        sent = " " * d.get("offset", 0) + d["sent"]  # aligned where the two match
        pad = " " * (d["at"] + len(heard))
        head = f"{e['lane']} #{e['id']}, {'passed on' if relay else 'heard'}, answering #{e.get('answers')}"
        head += f" on {e.get('of') or '?'}"
        if d.get("header"):
            head += f"\nheader: {d['header']}, read by {e['lane']} as {d['read']} (a header, not a loss)"
        caret = f'<span class="caret {"bad" if e["id"] in blamed else "seen"}">'
        out.append(
            f'<pre class="diff" data-ev="{e["id"]}">{h.escape(head)}\n'
            f"{said}{h.escape(sent)}\n{heard}{h.escape(d['heard'])}\n"
            f"{caret}{pad}^ the first difference, at {d['at']}</span></pre>"
        )
    if same:
        links = " ".join(f'<a data-ev="{e["id"]}">#{e["id"]}</a>' for e in same[:20])
        read = sorted({f"{d['header']} = {d['read']}" for d in (e["diff"] for e in same) if d.get("header")})
        after = h.escape(f" (after the header the server read: {', '.join(read)})" if read else "")
        out.append(f'<p class="same">{len(same)} line(s) heard or passed on just as sent{after}: {links}</p>')
    return "\n".join(out)


def _json(value: object) -> str:
    """JSON that cannot end the <script> it sits in, whatever bytes the exercise sent."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def latest_script(path: Path) -> Path:
    """The script beside a followed page that names the latest run (see FOLLOW)."""
    return path.with_name(path.stem + ".latest.js")


def html(result: LabResult, hints_shown: int = 1, follow_ms: int = 0, extra: str = "", name: str = "") -> str:
    """The page. FOLLOW_MS > 0: it reloads itself when a newer run of its lab lands (watch)."""
    data = _data(result)
    record = result.exchange
    ex = result.exercise
    status = result.decided.ran
    verdict = "pass" if result.passed else "fail"
    note = record.get("capture") or ""
    if record.get("left_out"):
        note += f" {record['left_out']:,} events of this long run are left out (its start and end are shown)."
    if record.get("error"):
        note = f"the exchange could not be built: {record['error']}"
    css = (ASSETS / "page.css").read_text(encoding="utf-8")
    js = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in ("page-words.js", "page.js"))
    follow = (
        FOLLOW % (h.escape(latest_script(Path(name or "page.html")).name), follow_ms) if follow_ms else ""
    )
    title = f"{result.lab.key} · {result.lab.title}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="lab-run" content="{h.escape(result.token)}">
<title>{h.escape(title)} ({"PASS" if result.passed else "FAIL"})</title>
<style>{css}</style></head>
<body data-lab="{result.lab.key}" data-token="{h.escape(result.token)}"
 data-passed="{str(result.passed).lower()}">
<header><h1>{h.escape(title)}</h1>
<div class="meta">run {h.escape(result.token)} · {h.escape(ex.file)}: {h.escape(status)},
 {ex.seconds:.2f} s</div>
<div class="verdict {verdict}">{h.escape(result.decided.status)}</div></header>
<main>
<h2>Steps</h2>
{_steps(result, data, hints_shown)}
{_diffs(result)}
<h2 id="exchange">The exchange</h2>
<div class="legend">Columns: your program's sockets (grouped by process, each with its descriptor and its
two ends), the wire (packets tcpdump saw in the sandbox), other ends, and at the right the servers (their
log lines for this run). Rows in time order, seconds since the run began; ⋯ before a server's line: placed
by its cause, as its log's clock has whole seconds. Hover or click a row for its bytes; at the right, ✓/✗
the checks that judged it and ◆ the events each step's lesson is made of.
<label><input type="checkbox" id="show-packets" checked> packets</label></div>
<div class="note">{h.escape(note)} Bytes are shown escaped, at most {record.get("limit", 256)} per call.</div>
{extra}
<div class="scroll" id="scroll"><div class="ladder-row">
<svg id="ladder" xmlns="http://www.w3.org/2000/svg" role="img"
 aria-label="the exchange as a sequence diagram: the program's sockets"></svg><div class="fixed"><svg
 id="ladder-fixed" xmlns="http://www.w3.org/2000/svg" role="img"
 aria-label="the servers, their lines, the checks and the lessons"></svg></div></div></div>
<dl id="details"><dt>event</dt><dd>hover or click an arrow</dd></dl>
</main>
<script type="application/json" id="exchange-data">{_json(data)}</script>
<script>{js}</script>
{follow}
</body></html>
"""


def write(result: LabResult, path: Path, hints_shown: int = 1, follow_ms: int = 0, extra: str = "") -> Path:
    """Write the page to PATH (its folder made if need be), all at once: a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, html(result, hints_shown, follow_ms, extra, path.name))
    if follow_ms:  # after the page: a page that reloads finds the new run in its file
        atomic_write(latest_script(path), f"labRunLatest({json.dumps(result.token)});\n")
    return path
