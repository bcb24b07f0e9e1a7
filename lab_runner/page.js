// Socket Lab's exchange page: draws the run's record (the JSON in #exchange-data) as a sequence
// diagram, lanes as columns and events as rows. Inline in the page, nothing fetched: it opens
// from file://. Each drawn event is a <g class="ev" data-id data-kind data-from data-to>, so a
// test (or a learner's devtools) can match the picture to the record.
"use strict";
(function () {
  const run = JSON.parse(document.getElementById("exchange-data").textContent);
  const rec = run.exchange;
  const SVG = "http://www.w3.org/2000/svg";
  const COL = 138, LEFT = 64, TOP = 58, ROW = 22, NOTES = 330;  // NOTES: room for the servers' lines
  const lanes = rec.lanes || [];
  const x = {};
  lanes.forEach((lane, i) => { x[lane.id] = LEFT + i * COL + COL / 2; });
  const pinned = {};  // event id -> the checks that judged it
  (run.checks || []).forEach((c) => (c.events || []).forEach((id) => { (pinned[id] = pinned[id] || []).push(c); }));

  function el(tag, attrs, text, parent) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function cut(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
  function size(n) { return n === 1 ? "1 byte" : n + " bytes"; }

  // What an event says in one short line (its label on the diagram).
  function label(e) {
    const times = e.repeat ? " ×" + e.repeat : "";
    switch (e.kind) {
      case "send": return "send " + size(e.size) + " '" + e.bytes + "'" + times;
      case "recv": return (e.eof ? "recv → b'' (the end)" : "recv " + size(e.size) + " '" + e.bytes + "'") + times;
      case "connect": return "connect(" + (e.address || "") + ")";
      case "bind": return "bind(" + (e.address || "") + ")";
      case "accept": return "accept() → fd " + (e.conn || "").split(":").pop().split("#")[0];
      case "packet": {
        const seq = e.seq === null || e.seq === undefined ? "" : " seq " + e.seq;
        const ack = e.ack === null || e.ack === undefined ? "" : " ack " + e.ack;
        return (e.flags || e.proto) + seq + ack + (e.length ? " len " + e.length : "") + times;
      }
      case "log": return e.text;
      case "error": return (e.of || "") + " → " + (e.errno || "error") + times;
      default: return e.kind + "()" + times;
    }
  }

  function draw() {
    const svg = document.getElementById("ladder");
    const showPackets = document.getElementById("show-packets").checked;
    svg.textContent = "";
    const events = rec.events.filter((e) => showPackets || e.kind !== "packet");
    const height = TOP + events.length * ROW + 30;
    const width = pinX() + 330;
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    const defs = el("defs", {}, null, svg);
    for (const [name, colour] of [["arrow", "#334"], ["arrow-wire", "#8a8f98"], ["arrow-bad", "#c0392b"]]) {
      const m = el("marker", { id: name, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
        markerHeight: 7, orient: "auto-start-reverse" }, null, defs);
      el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }, null, m);
    }
    lanes.forEach((lane) => {
      const g = el("g", { class: "lane lane-" + lane.kind, "data-lane": lane.id }, null, svg);
      el("line", { x1: x[lane.id], y1: TOP - 8, x2: x[lane.id], y2: height - 10, class: "life" }, null, g);
      el("rect", { x: x[lane.id] - COL / 2 + 5, y: 6, width: COL - 10, height: 40, rx: 6, class: "head" }, null, g);
      el("text", { x: x[lane.id], y: 22, class: "lane-id" }, cut(laneTitle(lane), 19), g);
      el("text", { x: x[lane.id], y: 38, class: "lane-label" }, cut(laneNote(lane), 22), g);
      el("title", {}, laneTitle(lane) + " — " + lane.label, g);
    });
    events.forEach((e, row) => drawEvent(svg, e, TOP + row * ROW + ROW / 2));
  }
  function pinX() { return LEFT + lanes.length * COL + NOTES; }
  function laneTitle(lane) {
    if (lane.kind === "socket") return "pid " + lane.id.replace(":", " fd ").replace("#", " #");
    if (lane.kind === "peer") return lane.id.includes(":") && !lane.id.startsWith("/") ? lane.id : "peer";
    return lane.id;
  }
  function laneNote(lane) {
    if (lane.kind === "socket") return lane.label.replace(/^fd \d+ · /, "") + (lane.peer ? " → " + lane.peer : "");
    if (lane.kind === "server") return lane.path || lane.address || "server";
    if (lane.kind === "wire") return "packets (tcpdump)";
    return lane.id.startsWith("/") ? lane.id : "another end";
  }

  function drawEvent(svg, e, y) {
    const checks = pinned[e.id] || [];
    const bad = checks.some((c) => c.marked === e.id);
    const g = el("g", { class: "ev kind-" + e.kind + (bad ? " bad" : "") + (checks.length ? " pinned" : ""),
      "data-id": e.id, "data-kind": e.kind, "data-lane": e.lane, "data-from": e.from || "",
      "data-to": e.to || "", "data-flags": e.flags || "" }, null, svg);
    el("text", { x: 6, y: y + 4, class: "time" }, e.t.toFixed(3) + " s", g);
    const from = e.kind === "packet" ? e.from : (e.kind === "recv" || e.kind === "accept") ? e.from : e.lane;
    const to = e.kind === "packet" ? e.to : (e.kind === "recv" || e.kind === "accept") ? e.lane : e.to;
    const arrow = ["send", "recv", "connect", "accept", "packet"].includes(e.kind) && from && to && x[from] && x[to];
    const text = label(e);
    if (arrow && from !== to) {
      const x1 = x[from], x2 = x[to], dir = x2 > x1 ? 1 : -1;
      el("line", { x1: x1 + dir * 3, y1: y, x2: x2 - dir * 3, y2: y, class: "arrow",
        "marker-end": "url(#" + (bad ? "arrow-bad" : e.kind === "packet" ? "arrow-wire" : "arrow") + ")" }, null, g);
      if (e.kind === "packet" && x.wire) el("circle", { cx: x.wire, cy: y, r: 2.5, class: "on-wire" }, null, g);
      const room = Math.max(8, Math.floor(Math.abs(x2 - x1) / 6.2));
      el("text", { x: (x1 + x2) / 2, y: y - 4, class: "arrow-label" }, cut(text, room), g);
    } else if (e.kind === "log") {
      const lx = x[e.lane], room = Math.max(12, Math.floor((pinX() - lx - 24) / 6.7));
      const shown = cut(text.replace(/^\S+ - - \[[^\]]+\] |^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ /, ""), room);
      el("rect", { x: lx + 4, y: y - 9, width: 8 + shown.length * 6.7, height: 17, rx: 3, class: "logbox" }, null, g);
      el("text", { x: lx + 8, y: y + 4, class: "log-text" }, shown, g);
    } else {
      const lx = x[e.lane];
      el("circle", { cx: lx, cy: y, r: 4, class: "dot" }, null, g);
      el("text", { x: lx + 8, y: y + 4, class: "mark" }, cut(text, 40), g);
    }
    if (checks.length) {
      el("text", { x: pinX(), y: y + 4, class: bad ? "pin bad" : checks.some((c) => !c.passed) ? "pin failing" : "pin" },
        checks.map((c) => (c.passed ? "✓ " : "✗ ") + c.title).join(" · ").slice(0, 60), g);
    }
    el("title", {}, text + (checks.length ? "\n" + checks.map((c) => (c.passed ? "PASS " : "FAIL ") + c.title).join("\n") : ""), g);
    g.addEventListener("click", () => show(e));
    g.addEventListener("mouseenter", () => show(e, true));
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
    if (e.bytes !== undefined) rows.push(["bytes", e.bytes + (e.cut ? "   (the first " + rec.limit + " of " + e.size + ")" : "")]);
    if (e.kind === "packet") rows.push(["packet", [e.src + " → " + e.dst, e.proto, e.flags, "seq " + e.seq, "ack " + e.ack, "length " + e.length].join("  ")]);
    if (e.text) rows.push(["line", e.text]);
    if (e.placed) rows.push(["placed", e.placed]);
    if (e.repeat) rows.push(["repeated", e.repeat + " times, until " + e.until.toFixed(3) + " s"]);
    if (e.diff) rows.push(["diff", diffText(e.diff)]);
    (pinned[e.id] || []).forEach((c) => rows.push([c.passed ? "PASS" : "FAIL", c.title + (c.reason ? ": " + c.reason : "")]));
    box.textContent = "";
    for (const [k, v] of rows) {
      const dt = document.createElement("dt"); dt.textContent = k; box.appendChild(dt);
      const dd = document.createElement("dd"); dd.textContent = v; box.appendChild(dd);
    }
    box.dataset.id = e.id;
  }
  function diffText(d) {
    const caret = d.at === null ? "(the same)" : " ".repeat(d.at + 7) + "^ first difference, at character " + d.at;
    const header = d.header ? "header: " + d.header + " = " + d.read + " (read by the server, not kept)\n" : "";
    return header + "sent:  " + d.sent + "\nheard: " + d.heard + "\n" + caret;
  }

  // #nopackets in the address: start with the packets hidden (the calls and lines alone).
  if (location.hash === "#nopackets") document.getElementById("show-packets").checked = false;
  document.getElementById("show-packets").addEventListener("change", draw);
  draw();
  document.body.dataset.drawn = String(rec.events.length);
})();

// The steps' event links and the diffs: show that event in the diagram.
document.querySelectorAll("[data-ev]").forEach((link) => link.addEventListener("click", () => {
  const g = document.querySelector('#ladder g.ev[data-id="' + link.dataset.ev + '"]');
  if (!g) return;
  g.scrollIntoView({ block: "center", inline: "center" });
  g.classList.add("flash");
  setTimeout(() => g.classList.remove("flash"), 1600);
  g.dispatchEvent(new Event("click"));
}));
