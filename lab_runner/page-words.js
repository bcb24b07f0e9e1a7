// Socket Lab's exchange page: what its events and columns say, in words (page.js draws them).
// Inline in the page before page.js, nothing fetched.
"use strict";
const Words = (function () {
  function cut(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
  function size(n) { return n === 1 ? "1 byte" : n + " bytes"; }
  function wrap(text, n) {  // lines of at most N characters, broken at spaces where it can
    const out = [];
    let rest = text;
    while (rest.length > n) {
      let at = rest.lastIndexOf(" ", n);
      if (at < n / 2) at = n;
      out.push(rest.slice(0, at));
      rest = rest.slice(at).trimStart();
    }
    return out.concat(rest ? [rest] : []);
  }
  // What an event says in one short line (its label on the diagram).
  function label(e, expected) {
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
      case "wait": return e.of + (e.for ? " for " + e.for : "") + (e.timed_out ? " → timed out after " + e.took.toFixed(3) + " s" : e.ready > 1 ? " → " + e.ready + " ready" : " → ready") + times;
      case "getsockopt": case "setsockopt": return e.kind + "(" + e.option + ") " + (e.kind === "getsockopt" ? "→ " : "= ") + e.value;
      case "fork": return (e.thread ? "thread → " : "fork → pid ") + e.child;
      case "fault": return "✕ " + (e.of || "") + " → " + (e.errno || "error") + " injected by strace: the kernel never saw it" + times;
      case "error": return (e.of || "") + " → " + (e.errno || "error") + (expected ? " (" + meaning(e.errno) + ")" : "") + times;
      default: return e.kind + "()" + times;
    }
  }
  function meaning(errno) {
    return { EINPROGRESS: "the handshake goes on", EAGAIN: "nothing yet", EWOULDBLOCK: "nothing yet",
      EALREADY: "still connecting" }[errno] || "what this step shows";
  }
  function laneTitle(lane) {
    if (lane.kind === "socket") {
      const more = lane.id.includes("#") ? "#" + lane.id.split("#")[1] : "";
      return "fd " + lane.fd + more + " " + protocol(lane);
    }
    if (lane.kind === "peer") return lane.id.includes(":") && !lane.id.startsWith("/") ? lane.id : "peer";
    return lane.id;
  }
  function protocol(lane) {  // what a learner calls it: TCP, UDP, a Unix stream ...
    const type = (lane.type || "").replace("SOCK_", "").toLowerCase();
    const family = (lane.family || "").replace("AF_", "");
    if (family === "INET" || family === "INET6") {
      const v6 = family === "INET6" ? "6" : "";
      return (type === "stream" ? "TCP" : type === "dgram" ? "UDP" : type) + v6;
    }
    return family + " " + (type === "seqpacket" ? "seqpkt" : type);
  }
  function laneNote(lane) {
    if (lane.kind === "socket") {
      const far = lane.remote || lane.peer || "";
      const none = lane.family === "AF_UNIX" ? "(unnamed)" : "(no address yet)";
      return (lane.local || "") + (far ? " → " + far.split("/").pop() : "") || none;
    }
    if (lane.kind === "server") return lane.address || lane.path || "server";
    if (lane.kind === "wire") return "packets (tcpdump)";
    return lane.id.startsWith("/") ? lane.id : "another end";
  }

  function diffText(d) {
    const caret = d.at === null ? "(the same)" : " ".repeat(d.at + 7) + "^ first difference, at character " + d.at;
    const header = d.header ? "header: " + d.header + " = " + d.read + " (read by the server, not kept)\n" : "";
    return header + "sent:  " + d.sent + "\nheard: " + d.heard + "\n" + caret;
  }
  return { cut, size, wrap, label, laneTitle, laneNote, diffText };
})();
