#!/usr/bin/env bash
# Host half of the VM control suite's dashboard check (issue #17): the page and the /status, /probes and /events
# answers that scripts/control/vm-tests.sh captured from a director with real IPVS and checks (CAPTURE, default
# .build-vm/dashboard-capture) are served again on the host's loopback and drawn by headless Chromium; the screenshot
# must show the pool's health tiles (UP and DOWN), the probe latency lines, the traffic line and the connection bars
# (pixels of their colours, read from the page). Headless Chromium under the lab's emulated CPU takes minutes.
#   scripts/control/vm-dashboard-check.sh [CAPTURE] [SHOT.png]   (SHOT: keep the screenshot there)
set -u
cd "$(dirname "$0")/../.."
. scripts/lib/suite.sh
CAP=${1:-.build-vm/dashboard-capture}
SHOT=${2:-}
WORK=$(mktemp -d /tmp/vigil-dashcheck.XXXXXX)
server=""
finish() {
  local rc=$?
  [ -n "$server" ] && kill "$server" 2>/dev/null
  suite_failed "$rc" && suite_tail_logs 20 "$WORK"/*.log
  rm -rf "$WORK"
  suite_summary "dashboard (VM capture) checks" "$rc"
}
trap 'finish; exit $?' EXIT
suite_need_tools chromium python3
for f in index.html status.json probes.json events.json; do
  [ -s "$CAP/$f" ] || { echo "error: no $CAP/$f: run the VM control suite first (make test-vm)" >&2; exit 1; }
done
python3 - "$CAP" "$WORK/port" > "$WORK/server.log" 2>&1 <<'PY' &
import http.server, os, sys
cap, files = sys.argv[1], {"/": "index.html", "/status": "status.json", "/probes": "probes.json", "/events": "events.json"}
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        name = files.get(self.path.split("?")[0])
        if name is None:
            self.send_error(404); return
        body = open(os.path.join(cap, name), "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8" if name.endswith(".html") else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
open(sys.argv[2], "w").write(str(httpd.server_address[1]))
httpd.serve_forever()
PY
server=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
port=$(cat "$WORK/port")
chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" --virtual-time-budget=4000 \
  --window-size=1100,1200 --screenshot="$WORK/dashboard.png" "http://127.0.0.1:$port/" > "$WORK/chromium.log" 2>&1
[ -n "$SHOT" ] && cp "$WORK/dashboard.png" "$SHOT"
color() { python3 -c "import json,re,sys; print(json.loads(re.search(r'const COLORS = (\{[^}]*\})', open(sys.argv[1]).read()).group(1))[sys.argv[2]])" "$CAP/index.html" "$1"; }
check "screenshot of the VM director's dashboard: UP and DOWN tiles, latency lines, traffic line and connection bars drawn" \
  scripts/control/png-colors.py "$WORK/dashboard.png" up="$(color tileUp)":100 down="$(color tileDown)":100 \
    latency="$(color latencyArea)":500 traffic="$(color trafficArea)":200 bars="$(color connectionBar)":50
