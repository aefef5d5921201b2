
/// The live dashboard served at `GET /`: one self-contained page (no external resource) that polls `/status` and
/// `/events` every second and shows the VRRP instances (state, priority, VIPs — which this node holds while
/// MASTER), the pools with each real server's health, connection sync and failback holds (with `lvs_sync_daemon`), and
/// the latest events. Text is inserted with `textContent`
/// only, so names from the configuration cannot inject markup.
public enum DashboardPage {
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
    .FAULT, .DOWN, .STOP, .err { color: #b3261e; font-weight: 600; } .UNKNOWN, .INIT { color: #8a6d00; }
    #meta { color: #666; } #events td { font-family: monospace; font-size: 12px; }
    </style>
    </head>
    <body>
    <h1>Vigil</h1>
    <div id="meta">loading…</div>
    <h2>VRRP instances</h2>
    <table id="instances"><thead><tr><th>Instance</th><th>State</th><th>Priority</th><th>VIPs</th><th>VIP owner</th><th>Last transition</th></tr></thead><tbody></tbody></table>
    <h2>Pools</h2>
    <table id="pools"><thead><tr><th>Virtual server</th><th>Real server</th><th>Health</th><th>Weight</th><th>Last check</th></tr></thead><tbody></tbody></table>
    <div id="sync" hidden><h2>Connection sync</h2><div id="syncline"></div>
    <table id="holds"><thead><tr><th>Failback hold</th><th>Since</th><th>Until at most</th><th>Waiting for</th></tr></thead><tbody></tbody></table></div>
    <h2>Events</h2>
    <table id="events"><tbody></tbody></table>
    <script>
    "use strict";
    function cell(tr, text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); }
    function fill(id, rows) {
      const body = document.querySelector("#" + id + " tbody");
      body.replaceChildren(...rows.map(r => { const tr = document.createElement("tr"); r.forEach(c => cell(tr, c[0], c[1])); return tr; }));
    }
    function render(s) {
      document.getElementById("meta").textContent = "pid " + s.pid + " · started " + s.startedAt + " · updated " + s.generatedAt +
        " · IPVS reconciles " + s.ipvs.reconciles + (s.ipvs.lastError ? " · last IPVS error: " + s.ipvs.lastError : "");
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
      const sync = s.connectionSync;
      document.getElementById("sync").hidden = !sync;
      if (sync) {
        document.getElementById("syncline").textContent = "sync daemons: " + (sync.daemons.length ? sync.daemons.join(", ") : "none") +
          " · connections in the table: " + (sync.connections == null ? "?" : sync.connections) +
          " · last sync seen: " + (sync.lastSyncSeen || "–");
        fill("holds", sync.holds.map(h => [[h.instance, "UNKNOWN"], [h.since], [h.until], [h.reason]]));
      }
    }
    async function poll() {
      try {
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
    """#
}
