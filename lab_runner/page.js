// Socket Lab's exchange page: draws the run's record (the JSON in #exchange-data) as a sequence
// diagram, lanes as columns and events as rows. Inline in the page, nothing fetched: it opens
// from file://. Each drawn event is a <g class="ev" data-id data-kind data-from data-to>, so a
// test (or a learner's devtools) can match the picture to the record.
//
// Two parts, one row per event in both: #ladder (the time, the program's sockets grouped by
// process, the wire, other ends) scrolls sideways; #ladder-fixed (the servers, their lines, the
// checks and the lessons) stays at the right edge, so at 1280 px every server is on screen
// however many sockets a run made (labs 6, 8 and 9 make 8 to 12).
"use strict";
(function () {
  const run = JSON.parse(document.getElementById("exchange-data").textContent);
  const rec = run.exchange;
  const SVG = "http://www.w3.org/2000/svg";
  const COL = 144, SCOL = 112, LEFT = 70, TOP = 80, ROW = 22, LINE = 13, CH = 6.7;  // CH: a character's width
  const NOTES = 190, PINS = 290;  // the servers' lines, then the checks and the lessons
  const EXPECTED = ["EINPROGRESS", "EAGAIN", "EWOULDBLOCK", "EALREADY"];  // how, not a mistake
  const lanes = rec.lanes || [];
  const { cut, wrap, laneTitle, laneNote, diffText } = Words;
  const label = (e) => Words.label(e, expected(e));
  const fixed = lanes.filter((l) => l.kind === "server");
  const moving = order(lanes.filter((l) => l.kind !== "server"));
  const x = {}, side = {};  // lane -> its column's centre, in its own part; lane -> "left" | "right"
  moving.forEach((lane, i) => { x[lane.id] = LEFT + i * COL + COL / 2; side[lane.id] = "left"; });
  fixed.forEach((lane, i) => { x[lane.id] = 8 + i * SCOL + SCOL / 2; side[lane.id] = "right"; });
  const notesX = 8 + fixed.length * SCOL, pinX = notesX + (fixed.length ? NOTES : 0) + 8;
  const rightWidth = pinX + PINS;
  // The sockets' part fills what the fixed part leaves, so an arrow to a server has no gap.
  const room = (document.getElementById("scroll").clientWidth || 1236) - rightWidth - 2;
  const leftWidth = Math.max(LEFT + moving.length * COL + 8, room);
  const pinned = {};  // event id -> the checks that judged it
  (run.checks || []).forEach((c) => (c.events || []).forEach((id) => { (pinned[id] = pinned[id] || []).push(c); }));
  const lesson = {};  // event id -> its places in the steps' lessons
  (run.lessons || []).forEach((l) => { (lesson[l.event] = lesson[l.event] || []).push(l); });

  // The program's sockets, grouped by the process that used them (first seen first), then the rest.
  function order(list) {
    const pids = [];
    list.forEach((l) => { if (l.kind === "socket" && !pids.includes(l.pid)) pids.push(l.pid); });
    const socks = pids.flatMap((pid) => list.filter((l) => l.kind === "socket" && l.pid === pid));
    return socks.concat(list.filter((l) => l.kind !== "socket"));
  }
  function el(tag, attrs, text, parent) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function fits(width) { return Math.max(4, Math.floor(width / CH)); }
  function expected(e) { return e.kind === "error" && (EXPECTED.includes(e.errno) || !!lesson[e.id]); }

  // What the right-hand column says of an event: the checks that judged it (each in words at its
  // first event and where it went wrong, by its number elsewhere, as in the steps' list), then
  // its lessons.
  function notes(e) {
    const lines = [], short = [];
    (pinned[e.id] || []).forEach((c) => {
      const css = c.marked === e.id ? "pin bad" : c.passed ? "pin" : "pin failing";
      const mark = (c.passed ? "✓ " : "✗ ") + c.number;
      if (c.marked === e.id || Math.min(...c.events) === e.id) {
        wrap(mark + " " + c.title, fits(PINS - 8)).forEach((t) => lines.push({ text: t, css }));
      } else short.push({ text: mark, css });
    });
    if (short.length) {
      const css = short.some((m) => m.css !== "pin") ? "pin failing" : "pin";
      wrap(short.map((m) => m.text).join("  "), fits(PINS - 8)).forEach((t) => lines.push({ text: t, css }));
    }
    (lesson[e.id] || []).forEach((l) => wrap("◆ step " + l.step + " lesson " + l.n + "/" + l.of + ": " + l.item,
      fits(PINS - 8)).forEach((t) => lines.push({ text: t, css: "lesson-label", step: l.step })));
    return lines;
  }

  function draw() {
    const left = document.getElementById("ladder"), right = document.getElementById("ladder-fixed");
    const showPackets = document.getElementById("show-packets").checked;
    left.textContent = ""; right.textContent = "";
    const events = rec.events.filter((e) => showPackets || e.kind !== "packet");
    const rows = [];
    let y = TOP;
    events.forEach((e) => {
      const said = notes(e), h = Math.max(ROW, said.length * LINE + 8);
      rows.push({ e, y: y + Math.min(h, ROW) / 2 + (h > ROW ? 2 : 0), said, h });
      y += h;
    });
    const height = y + 30;
    for (const [svg, width] of [[left, leftWidth], [right, rightWidth]]) {
      svg.setAttribute("width", width); svg.setAttribute("height", height);
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      const defs = el("defs", {}, null, svg);
      for (const [name, colour] of [["arrow", "#334"], ["arrow-wire", "#8a8f98"], ["arrow-bad", "#c0392b"], ["arrow-fork", "#7a4fb0"]]) {
        const m = el("marker", { id: name + "-" + svg.id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
          markerHeight: 7, orient: "auto-start-reverse" }, null, defs);
        el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }, null, m);
      }
    }
    drawProcesses(left);
    moving.concat(fixed).forEach((lane) => drawLane(side[lane.id] === "left" ? left : right, lane, height));
    if (fixed.length) el("text", { x: notesX + 6, y: TOP - 12, class: "col-title" }, "their lines", right);
    el("text", { x: pinX, y: TOP - 12, class: "col-title" }, "checks ✓✗ and lessons ◆", right);
    rows.forEach((r) => drawEvent(left, right, r));
  }

  // A band over each process's sockets: its pid, and where it came from (a fork).
  function drawProcesses(svg) {
    const groups = [];
    moving.filter((l) => l.kind === "socket").forEach((l) => {
      const last = groups[groups.length - 1];
      if (last && last.pid === l.pid) last.lanes.push(l); else groups.push({ pid: l.pid, lanes: [l] });
    });
    const forks = rec.events.filter((e) => e.kind === "fork");
    groups.forEach((g) => {
      const x1 = x[g.lanes[0].id] - COL / 2 + 3, x2 = x[g.lanes[g.lanes.length - 1].id] + COL / 2 - 3;
      const from = forks.find((f) => f.child === g.pid);
      const box = el("g", { class: "process", "data-pid": g.pid }, null, svg);
      el("rect", { x: x1, y: 4, width: x2 - x1, height: 18, rx: 4, class: "process-band" }, null, box);
      const said = "pid " + g.pid + (from ? (from.thread ? ", a thread of " : ", child of ") + from.pid : "");
      el("text", { x: x1 + 6, y: 17, class: "process-label" }, cut(said, Math.floor((x2 - x1 - 10) / 6.1)), box);
    });
  }
  function drawLane(svg, lane, height) {
    const g = el("g", { class: "lane lane-" + lane.kind, "data-lane": lane.id }, null, svg);
    const cx = x[lane.id], w = side[lane.id] === "right" ? SCOL : COL;
    el("line", { x1: cx, y1: TOP - 8, x2: cx, y2: height - 10, class: "life" }, null, g);
    el("rect", { x: cx - w / 2 + 5, y: 26, width: w - 10, height: 40, rx: 6, class: "head" }, null, g);
    el("text", { x: cx, y: 42, class: "lane-id" }, cut(laneTitle(lane), fits(w - 16)), g);
    el("text", { x: cx, y: 58, class: "lane-label" }, cut(laneNote(lane), Math.floor((w - 14) / 6.1)), g);
    el("title", {}, laneTitle(lane) + " — " + lane.label + (lane.local ? " — local " + lane.local : "") +
      (lane.remote ? " — remote " + lane.remote : ""), g);
  }
  function group(svg, e, css) {
    return el("g", { class: css, "data-id": e.id, "data-kind": e.kind, "data-lane": e.lane, "data-from": e.from || "",
      "data-to": e.to || "", "data-flags": e.flags || "" }, null, svg);
  }
  function part(svg, e, css) { return el("g", { class: css, "data-part": e.id }, null, svg); }
  function drawEvent(left, right, r) {
    const e = r.e, y = r.y, checks = pinned[e.id] || [];
    const bad = checks.some((c) => c.marked === e.id);
    const css = "ev kind-" + e.kind + (bad ? " bad" : "") + (checks.length ? " pinned" : "") +
      (lesson[e.id] ? " lesson" : "") + (expected(e) ? " expected" : "");
    const home = side[e.lane] === "right" ? right : left;
    const g = group(home, e, css);
    const other = part(home === left ? right : left, e, "part kind-" + e.kind + (bad ? " bad" : "") + (lesson[e.id] ? " lesson" : ""));
    el("text", { x: 6, y: y + 4, class: "time" }, e.t.toFixed(3) + " s", left === home ? g : other);
    const from = ["packet", "recv", "accept"].includes(e.kind) ? e.from : e.lane;
    const to = ["recv", "accept"].includes(e.kind) ? e.lane : e.to;
    const arrow = ["send", "recv", "connect", "accept", "packet", "fork"].includes(e.kind) && from && to &&
      x[from] !== undefined && x[to] !== undefined && from !== to;
    const text = label(e);
    const head = bad ? "arrow-bad" : e.kind === "packet" ? "arrow-wire" : e.kind === "fork" ? "arrow-fork" : "arrow";
    if (arrow && side[from] === side[to]) {
      const svg = side[from] === "left" ? left : right, into = svg === home ? g : other;
      const x1 = x[from], x2 = x[to], dir = x2 > x1 ? 1 : -1;
      el("line", { x1: x1 + dir * 3, y1: y, x2: x2 - dir * 3, y2: y, class: "arrow", "marker-end": "url(#" + head + "-" + svg.id + ")" }, null, into);
      if (e.kind === "packet" && x.wire !== undefined) el("circle", { cx: x.wire, cy: y, r: 2.5, class: "on-wire" }, null, into);
      // Beside its start, with room for a few columns' worth: the row is its own.
      const at = Math.min(x1, x2) + 8, end = svg === left ? leftWidth : pinX;
      el("text", { x: at, y: y - 4, class: "arrow-label start" }, cut(text, fits(Math.min(end - at - 8, Math.max(Math.abs(x2 - x1), 2.5 * COL)))), into);
    } else if (arrow) {  // from one part to the other: each draws its half, the right one's arrowhead
      const onLeft = side[from] === "left" ? from : to, onRight = side[from] === "left" ? to : from;
      const leftG = left === home ? g : other, rightG = right === home ? g : other;
      const rightward = side[from] === "left";
      el("line", { x1: x[onLeft] + 3, y1: y, x2: leftWidth, y2: y, class: "arrow",
        ...(rightward ? {} : { "marker-start": "url(#" + head + "-ladder)" }) }, null, leftG);
      el("line", { x1: 0, y1: y, x2: x[onRight] - 3, y2: y, class: "arrow",
        ...(rightward ? { "marker-end": "url(#" + head + "-ladder-fixed)" } : {}) }, null, rightG);
      if (e.kind === "packet" && x.wire !== undefined) el("circle", { cx: x.wire, cy: y, r: 2.5, class: "on-wire" }, null, leftG);
      // Its label starts beside the program's socket, where it is on screen whatever the scroll.
      const room = fits(Math.min(leftWidth - x[onLeft] - 20, 3 * COL));
      el("text", { x: x[onLeft] + 10, y: y - 4, class: "arrow-label start" }, cut(text, room), leftG);
    } else if (e.kind === "log") {
      const lx = x[e.lane], room = fits(pinX - lx - 24);
      const shown = cut(text.replace(/^\S+ - - \[[^\]]+\] |^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ /, ""), room);
      el("rect", { x: lx + 4, y: y - 9, width: 8 + shown.length * CH, height: 17, rx: 3, class: "logbox" }, null, g);
      el("text", { x: lx + 8, y: y + 4, class: "log-text" }, shown, g);
      if (e.placed) el("text", { x: lx - 6, y: y + 4, class: "placed" }, "⋯", g);
    } else {
      const lx = x[e.lane] === undefined ? LEFT : x[e.lane];
      const svg = side[e.lane] === "right" ? right : left;
      const into = svg === home ? g : other;
      if (e.kind === "fault") {  // injected: a call that stopped at strace, a dashed ring and no arrow
        el("circle", { cx: lx, cy: y, r: 6, class: "dot injected" }, null, into);
      } else el(e.kind === "wait" ? "rect" : "circle", e.kind === "wait" ? { x: lx - 4, y: y - 5, width: 8, height: 10, rx: 2, class: "dot" }
        : { cx: lx, cy: y, r: 4, class: "dot" }, null, into);
      const room = svg === left ? fits(Math.max(COL * 1.6, leftWidth - lx - 14)) : fits(pinX - lx - 14);
      el("text", { x: lx + 8, y: y + 4, class: "mark" }, cut(text, room), into);
    }
    const notesG = right === home ? g : other;
    r.said.forEach((line, i) => el("text", { x: pinX, y: y + 4 + i * LINE - (r.said.length > 1 ? 4 : 0), class: line.css }, line.text, notesG));
    const tip = text + (checks.length ? "\n" + checks.map((c) => (c.passed ? "PASS " : "FAIL ") + c.title).join("\n") : "") +
      (lesson[e.id] ? "\n" + lesson[e.id].map((l) => "lesson of step " + l.step + ": " + l.item).join("\n") : "");
    el("title", {}, tip, g);
    for (const part of [g, other]) {
      part.addEventListener("click", () => show(e));
      part.addEventListener("mouseenter", () => show(e, true));
    }
  }

  // The details of one event: its bytes, whole (as far as the record keeps them).
  let kept = false;
  function show(e, hovering) {
    if (hovering && kept) return;
    if (!hovering) kept = true;
    const box = document.getElementById("details");
    const rows = [["event", "#" + e.id + " " + e.kind + " at " + e.t.toFixed(6) + " s"], ["lane", e.lane]];
    if (e.from) rows.push(["from", e.from]);
    if (e.to) rows.push(["to", e.to]);
    if (e.call) rows.push(["call", e.call]);
    if (e.injected) rows.push(["injected", "strace answered this call itself (the lab's fault): it never reached the kernel, so no packet went out and no server heard of it"]);
    if (e.bytes !== undefined) rows.push(["bytes", e.bytes + (e.cut ? "   (the first " + rec.limit + " of " + e.size + ")" : "")]);
    if (e.kind === "packet") rows.push(["packet", [e.src + " → " + e.dst, e.proto, e.flags, "seq " + e.seq, "ack " + e.ack, "length " + e.length].join("  ")]);
    if (e.text) rows.push(["line", e.text]);
    if (e.placed) rows.push(["placed", e.placed]);
    if (e.repeat) rows.push(["repeated", e.repeat + " times, until " + e.until.toFixed(3) + " s"]);
    if (e.diff) rows.push(["diff", diffText(e.diff)]);
    (lesson[e.id] || []).forEach((l) => rows.push(["lesson", "step " + l.step + ", " + l.n + " of " + l.of + ": " + l.item]));
    (pinned[e.id] || []).forEach((c) => rows.push([c.passed ? "PASS" : "FAIL", c.title + (c.reason ? ": " + c.reason : "")]));
    box.textContent = "";
    for (const [k, v] of rows) {
      const dt = document.createElement("dt"); dt.textContent = k; box.appendChild(dt);
      const dd = document.createElement("dd"); dd.textContent = v; box.appendChild(dd);
    }
    box.dataset.id = e.id;
  }

  // #nopackets in the address: start with the packets hidden (the calls and lines alone).
  if (location.hash === "#nopackets") document.getElementById("show-packets").checked = false;
  document.getElementById("show-packets").addEventListener("change", draw);
  draw();
  document.body.dataset.drawn = String(rec.events.length);
})();

// The steps' event links and the diffs: show that event in the diagram.
document.querySelectorAll("[data-ev]").forEach((link) => link.addEventListener("click", () => {
  const g = document.querySelector('g.ev[data-id="' + link.dataset.ev + '"]');
  if (!g) return;
  g.scrollIntoView({ block: "center", inline: "center" });
  g.classList.add("flash");
  setTimeout(() => g.classList.remove("flash"), 1600);
  g.dispatchEvent(new Event("click"));
}));
