import Foundation

/// The live dashboard served at `GET /`: one self-contained page (no external resource) that polls `/status` and
/// `/events` every second and `/probes` every two, and draws:
/// - each VRRP instance's state over the last 15 minutes as a timeline (who was MASTER when), each change with its
///   reason (hover a segment, or read the list under it);
/// - the peers as this node hears them (their advertised priority and role, from their adverts);
/// - each pool as a health grid: a tile per real server, coloured by health, with its probe latency over its latest
///   probes (failed probes as red dots);
/// - IPVS traffic per virtual service (the kernel's rates, a line of the last two minutes the page has seen) and the
///   active connections per real server as bars;
/// - the tables (instances, pools, announced routes with `vigil_announce`, connection sync and failback holds, latest
///   events).
/// Text is inserted with `textContent` only, so names from the configuration cannot inject markup. Each picture's
/// colours are fixed (`DashboardPage.colors`), so a screenshot test can find them.
public enum DashboardPage {
    /// The fill colours of the pictures, by what they show (a screenshot test counts their pixels).
    public static let colors: [String: String] = [
        "timelineMaster": "#1e9e50", "timelineBackup": "#8a96a3", "timelineFault": "#d1373b", "timelineOther": "#e0b000",
        "tileUp": "#2bb673", "tileDown": "#e5484d", "tileUnknown": "#c9a227",
        "latencyArea": "#cfe0fb", "trafficArea": "#e4dcfd", "connectionBar": "#7a5af8",
    ]

    /// The page.
    public static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>Vigil</title>
    <style>
    body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
    h1 { font-size: 1.3em; margin: 0 0 .2em; } h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
    table { border-collapse: collapse; } th, td { text-align: left; padding: .2em .8em .2em 0; }
    th { border-bottom: 1px solid #999; font-weight: 600; }
    .MASTER, .UP { color: #0a7d27; font-weight: 600; } .BACKUP { color: #555; }
    .FAULT, .DOWN, .STOP, .err, .leaving { color: #b3261e; font-weight: 600; } .UNKNOWN, .INIT, .silent { color: #8a6d00; }
    #meta { color: #666; } #events td { font-family: monospace; font-size: 12px; }
    svg text { font: 11px system-ui, sans-serif; fill: #333; }
    .why { font-size: 12px; color: #444; margin: .2em 0 .6em; } .why div { margin: .1em 0; }
    .grid { display: flex; flex-wrap: wrap; gap: 8px; margin: .3em 0 .8em; }
    .tile { border: 1px solid #ccc; border-radius: 4px; padding: 4px 6px; width: 190px; font-size: 12px; background: #fafafa; }
    .tile .dot { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -2px; margin-right: 4px; }
    .tile .lat { color: #555; font-size: 11px; }
    .svc { margin: .3em 0 .8em; font-size: 12px; }
    </style>
    </head>
    <body>
    <h1>Vigil</h1>
    <div id="meta">loading…</div>
    <h2>VRRP state, last 15 minutes</h2>
    <svg id="timeline" width="900" height="40" role="img" aria-label="VRRP state timeline"></svg>
    <div id="why" class="why"></div>
    <h2>Peers (as this node hears their adverts)</h2>
    <table id="peers"><thead><tr><th>Instance</th><th>Peer</th><th>Priority</th><th>Role</th><th>Last advert</th><th>Interval</th></tr></thead><tbody></tbody></table>
    <h2>VRRP instances</h2>
    <table id="instances"><thead><tr><th>Instance</th><th>State</th><th>Priority</th><th>VIPs</th><th>VIP owner</th><th>Last transition</th></tr></thead><tbody></tbody></table>
    <h2>Pool health and probe latency</h2>
    <div id="health"></div>
    <div id="trafficbox" hidden><h2>IPVS traffic</h2><div id="traffic"></div></div>
    <div id="announced" hidden><h2>Announced routes (vigil_announce)</h2>
    <table id="routes"><thead><tr><th>Address</th><th>Route</th><th>Table</th><th>Since</th><th>Why</th></tr></thead><tbody></tbody></table></div>
    <h2>Pools</h2>
    <table id="pools"><thead><tr><th>Virtual server</th><th>Real server</th><th>Health</th><th>Weight</th><th>Last check</th></tr></thead><tbody></tbody></table>
    <div id="sync" hidden><h2>Connection sync</h2><div id="syncline"></div>
    <table id="holds"><thead><tr><th>Failback hold</th><th>Since</th><th>Until at most</th><th>Waiting for</th></tr></thead><tbody></tbody></table></div>
    <h2>Events</h2>
    <table id="events"><tbody></tbody></table>
    <script>
    "use strict";
    const COLORS = __COLORS__;
    const SVG = "http://www.w3.org/2000/svg";
    const WINDOW = 15 * 60;
    function el(tag, attrs, parent, text) {
      const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
      for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
      if (text != null) e.textContent = text;
      if (parent) parent.appendChild(e);
      return e;
    }
    function cell(tr, text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); }
    function fill(id, rows) {
      const body = document.querySelector("#" + id + " tbody");
      body.replaceChildren(...rows.map(r => { const tr = document.createElement("tr"); r.forEach(c => cell(tr, c[0], c[1])); return tr; }));
    }
    function stateColor(s) {
      return s === "MASTER" ? COLORS.timelineMaster : s === "BACKUP" ? COLORS.timelineBackup : s === "FAULT" ? COLORS.timelineFault : COLORS.timelineOther;
    }
    function ago(seconds) { return seconds < 90 ? Math.round(seconds) + " s ago" : Math.round(seconds / 60) + " min ago"; }
    function rate(v) { return v >= 1e6 ? (v / 1e6).toFixed(1) + " M" : v >= 1e3 ? (v / 1e3).toFixed(1) + " k" : String(Math.round(v)); }

    function timeline(s) {
      const svg = document.getElementById("timeline");
      const now = Date.parse(s.generatedAt) / 1000, started = Date.parse(s.startedAt) / 1000;
      const from = Math.max(now - WINDOW, started), span = Math.max(now - from, 1);
      const left = 110, width = 760, row = 26;
      svg.setAttribute("height", String(s.instances.length * row + 22));
      svg.replaceChildren();
      const why = document.getElementById("why");
      why.replaceChildren();
      s.instances.forEach((inst, n) => {
        const y = n * row + 4;
        el("svg:text", { x: 0, y: y + 14 }, svg, inst.name);
        const ts = inst.transitions.map(t => ({ at: Date.parse(t.at) / 1000, from: t.from, to: t.to, reason: t.reason }));
        const placed = [];
        let cursor = from, current = ts.length ? ts[0].from : inst.state;
        for (const t of ts) {
          if (t.at > cursor) placed.push({ state: current, a: cursor, b: Math.min(t.at, now) });
          current = t.to; cursor = Math.max(cursor, t.at);
        }
        if (now > cursor) placed.push({ state: inst.state, a: cursor, b: now });
        for (const p of placed) {
          const x = left + (p.a - from) / span * width, w = Math.max((p.b - p.a) / span * width, 1);
          const r = el("svg:rect", { x: x.toFixed(1), y, width: w.toFixed(1), height: row - 8, fill: stateColor(p.state),
                                     class: "seg seg-" + p.state }, svg);
          el("svg:title", {}, r, p.state + " for " + Math.round(p.b - p.a) + " s");
        }
        for (const t of ts.filter(t => t.at >= from)) {
          const x = left + (t.at - from) / span * width;
          const m = el("svg:line", { x1: x.toFixed(1), x2: x.toFixed(1), y1: y - 2, y2: y + row - 6, stroke: "#222", "stroke-width": 1 }, svg);
          el("svg:title", {}, m, t.from + " → " + t.to + ": " + t.reason);
        }
        ts.slice(-4).forEach(t => el("div", {}, why, inst.name + " · " + new Date(t.at * 1000).toLocaleTimeString() + " · " +
                                      t.from + " → " + t.to + ": " + t.reason));
      });
      const axisY = s.instances.length * row + 16;
      el("svg:text", { x: left, y: axisY }, svg, span < 120 ? "-" + Math.round(span) + " s" : "-" + Math.round(span / 60) + " min");
      el("svg:text", { x: left + width - 24, y: axisY }, svg, "now");
    }

    function peers(s) {
      const now = Date.parse(s.generatedAt) / 1000, rows = [];
      s.instances.forEach(i => (i.peers || []).forEach(p => rows.push([[i.name], [p.address], [String(p.priority)], [p.role, p.role],
        [ago(now - Date.parse(p.lastHeard) / 1000)], [p.advertIntervalSeconds + " s"]])));
      if (rows.length === 0) rows.push([["–"], ["no advert heard from another router"], [""], [""], [""], [""]]);
      fill("peers", rows);
    }

    function sparkline(parent, values, failed, width, height, areaColor, lineColor) {
      const svg = el("svg:svg", { width, height, class: "spark" }, parent);
      if (values.length === 0) return svg;
      const max = Math.max(...values, 0.001), step = values.length > 1 ? width / (values.length - 1) : 0;
      const pts = values.map((v, k) => [k * step, height - 2 - v / max * (height - 6)]);
      el("svg:polygon", { points: "0," + height + " " + pts.map(p => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" ") + " " +
                          (pts[pts.length - 1][0]).toFixed(1) + "," + height, fill: areaColor, class: "area" }, svg);
      el("svg:polyline", { points: pts.map(p => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "), fill: "none",
                           stroke: lineColor, "stroke-width": 1.5 }, svg);
      (failed || []).forEach(k => el("svg:circle", { cx: pts[k][0].toFixed(1), cy: (height - 4), r: 2.5, fill: COLORS.tileDown }, svg));
      return svg;
    }

    let probes = { realServers: [] };
    function health(s) {
      const box = document.getElementById("health");
      box.replaceChildren();
      const byServer = {};
      probes.realServers.forEach(p => byServer[p.virtualServer + " " + p.realServer] = p.probes);
      s.virtualServers.forEach(v => {
        el("div", {}, box, v.name + (v.quorumUp ? "" : " — quorum DOWN"));
        const grid = el("div", { class: "grid" }, box);
        v.realServers.forEach(r => {
          const tile = el("div", { class: "tile tile-" + r.health }, grid);
          const head = el("div", {}, tile);
          el("span", { class: "dot", style: "background:" + (r.health === "UP" ? COLORS.tileUp : r.health === "DOWN" ? COLORS.tileDown : COLORS.tileUnknown) }, head);
          el("span", {}, head, r.address + " " + r.health);
          const samples = byServer[v.name + " " + r.address] || [];
          // A failed probe's time is its timeout: drawn as a red dot on the baseline, not as latency.
          const ms = samples.map(p => p[2] === 1 ? p[1] : 0), failed = [];
          samples.forEach((p, k) => { if (p[2] === 0) failed.push(k); });
          sparkline(tile, ms, failed, 176, 30, COLORS.latencyArea, "#2f6fde");
          const last = samples.length ? samples[samples.length - 1] : null;
          el("div", { class: "lat" }, tile, last ? (last[2] === 1 ? "probe " + last[1].toFixed(2) + " ms" : "last probe failed after " +
             Math.round(last[1]) + " ms") + ", " + samples.length + " probes over " +
             Math.round(samples[0][0]) + " s" + (failed.length ? ", " + failed.length + " failed" : "") : "no probe yet");
        });
      });
    }

    const trafficHistory = {};
    function traffic(s) {
      const box = document.getElementById("trafficbox");
      box.hidden = !s.traffic || s.traffic.length === 0;
      if (box.hidden) return;
      const out = document.getElementById("traffic");
      out.replaceChildren();
      s.traffic.forEach(t => {
        const h = trafficHistory[t.service] = (trafficHistory[t.service] || []).concat([t.connectionsPerSecond + t.bytesInPerSecond / 1e3]).slice(-120);
        const div = el("div", { class: "svc" }, out);
        el("div", {}, div, t.service + " · " + rate(t.connectionsPerSecond) + " conn/s · in " + rate(t.bytesInPerSecond) + "B/s · out " +
           rate(t.bytesOutPerSecond) + "B/s · " + t.activeConnections + " active, " + t.inactiveConnections + " inactive");
        sparkline(el("div", {}, div), h, [], 400, 36, COLORS.trafficArea, "#5b3fd6");
        const bars = el("svg:svg", { width: 420, height: t.realServers.length * 16 + 2, class: "bars" }, el("div", {}, div));
        const most = Math.max(1, ...t.realServers.map(r => r.activeConnections + r.inactiveConnections));
        t.realServers.forEach((r, k) => {
          el("svg:text", { x: 0, y: k * 16 + 12 }, bars, r.address);
          const w = Math.max(2, (r.activeConnections + r.inactiveConnections) / most * 250);
          const b = el("svg:rect", { x: 140, y: k * 16 + 3, width: w.toFixed(1), height: 11, fill: COLORS.connectionBar, class: "bar" }, bars);
          el("svg:title", {}, b, r.activeConnections + " active, " + r.inactiveConnections + " inactive, weight " + r.weight);
          el("svg:text", { x: 146 + w, y: k * 16 + 12 }, bars, r.activeConnections + "/" + r.inactiveConnections);
        });
      });
    }

    function render(s) {
      document.getElementById("meta").textContent = "pid " + s.pid + " · started " + s.startedAt + " · updated " + s.generatedAt +
        " · IPVS reconciles " + s.ipvs.reconciles + (s.ipvs.lastError ? " · last IPVS error: " + s.ipvs.lastError : "");
      timeline(s);
      peers(s);
      health(s);
      traffic(s);
      fill("instances", s.instances.map(i => {
        const t = i.transitions.length ? i.transitions[i.transitions.length - 1] : null;
        const prio = i.effectivePriority == null ? String(i.priority) : String(i.effectivePriority);
        return [[i.name], [i.state, i.state], [prio + " (" + i.priorityReason + ")"], [i.vips.join(", ")],
                [i.state === "MASTER" ? "this node" : "peer"], [t ? t.from + " → " + t.to + ": " + t.reason : "–"]];
      }));
      const rows = [];
      s.virtualServers.forEach(v => {
        const name = v.name + (v.quorumUp ? "" : " (quorum DOWN)");
        if (v.realServers.length === 0) rows.push([[name], ["–"], ["–"], ["–"], ["–"]]);
        v.realServers.forEach((r, n) => rows.push([[n === 0 ? name : ""], [r.address], [r.health, r.health],
          [r.ipvsWeight == null ? "out of pool (" + r.weight + ")" : String(r.ipvsWeight)], [r.reason || "–"]]));
      });
      fill("pools", rows);
      const routes = s.announcements || [];
      document.getElementById("announced").hidden = routes.length === 0;
      fill("routes", routes.map(a => [[a.address], [a.announced ? "announced" : "withdrawn", a.announced ? "UP" : "DOWN"],
                                      [String(a.table)], [a.since], [a.reason]]));
      const sync = s.connectionSync;
      document.getElementById("sync").hidden = !sync;
      if (sync) {
        document.getElementById("syncline").textContent = "sync daemons: " + (sync.daemons.length ? sync.daemons.join(", ") : "none") +
          " · connections in the table: " + (sync.connections == null ? "?" : sync.connections) +
          " · last sync seen: " + (sync.lastSyncSeen || "–");
        fill("holds", sync.holds.map(h => [[h.instance, "UNKNOWN"], [h.since], [h.until], [h.reason]]));
      }
    }
    let polls = 0;
    async function poll() {
      try {
        if (polls++ % 2 === 0) probes = await (await fetch("/probes", { cache: "no-store" })).json();
        const s = await (await fetch("/status", { cache: "no-store" })).json();
        render(s);
        const ev = await (await fetch("/events?limit=20", { cache: "no-store" })).json();
        fill("events", ev.reverse().map(e => [[e.at], [e.kind], [e.message]]));
      } catch (e) {
        const m = document.getElementById("meta"); m.textContent = "cannot reach vigil: " + e; m.className = "err";
      }
      setTimeout(poll, 1000);
    }
    poll();
    </script>
    </body>
    </html>
    """#.replacingOccurrences(of: "__COLORS__", with: colorsJSON)

    /// `colors` as a JavaScript object literal, keys sorted.
    static var colorsJSON: String {
        "{" + colors.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}"
    }
}
