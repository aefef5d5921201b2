#!/usr/bin/env bash
# VM suite of the control endpoint (issue #6): what needs real IPVS and real health checks. One `vigil run` director in
# front of three nginx real servers (the NAT lab of scripts/demo/topology.sh), its control endpoint asked from inside
# the director's namespace:
#   1. /status: every real server UP with its IPVS weight, reconciles and commands counted; /metrics: IPVS operations,
#      reconcile histogram, real-server gauges; `vigil status` shows the pool; after requests through the VIP, the
#      node_ipvs_* samples equal those of node_exporter's IPVS collector (prometheus-node-exporter in the same
#      namespace, same moment) and the per-service traffic counters count them;
#   2. nginx r2 stops: /status shows it DOWN with the check's reason and out of the pool; /metrics counts the
#      deleteDestination and the change; /events has the DOWN line; /probes has each server's latest probes (r2's
#      failed ones last); the dashboard's page and its inputs are captured for the host, where
#      scripts/control/vm-dashboard-check.sh draws them in headless Chromium and counts the colours of the health
#      tiles (UP and DOWN), the probe latency lines and the traffic picture in the screenshot.
# Run inside the qemu lab (`make test-vm`) or on a host kernel with IPVS. Everything is removed on exit.
set -u
cd "$(dirname "$0")/../.."
. scripts/demo/topology.sh
. scripts/lib/suite.sh

finish() {
  local rc=$?
  suite_failed "$rc" && suite_tail_logs 40 "$TOPO_DIR/director1.log"
  [ -n "${NE_PID:-}" ] && kill "$NE_PID" 2>/dev/null
  topo_cleanup
  suite_summary "control vm tests" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the control VM suite"
suite_need_ipvs
suite_need_tools nginx curl ipvsadm ip setsid python3 promtool prometheus-node-exporter
suite_need_vigil

topo_up 1 3 || { echo "error: cannot build the topology" >&2; exit 1; }
for k in 1 2 3; do topo_nginx_start "$k" || { echo "error: nginx r$k did not start" >&2; exit 1; }; done
topo_director_start 1 "$(topo_config 1 MASTER 150 3)"
D=$(topo_ns_director 1)
get() { ip netns exec "$D" curl -fsS --max-time 5 "http://127.0.0.1:9678$1"; }
st() {  # python expression over the status `s`
  get /status | python3 -c "import json,sys; s=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}
pool='s["virtualServers"][0]["realServers"]'
three() { [ "$(topo_ipvs_reals 1 | wc -l)" -eq 3 ]; }
check "director takes the VIP and installs 3 real servers" topo_wait 60 "3 real servers" three 1
check "/status: every real server UP with its IPVS weight" \
  topo_wait 20 "all UP" st "all(r['health']=='UP' and r.get('ipvsWeight',0)>=1 for r in $pool)"
check "/status: reconciles and addService/addDestination counted" \
  st "s['ipvs']['reconciles']>=1 and s['ipvs']['operations'].get('addService',0)>=1 and s['ipvs']['operations'].get('addDestination',0)>=3"
get /metrics > "$TOPO_DIR/metrics.txt"
check "/metrics: promtool check metrics is clean (pool side: IPVS and checks)" bash -c "promtool check metrics < '$TOPO_DIR/metrics.txt'"
check "/metrics: addDestination operations" grep -Eq '^vigil_ipvs_operations_total\{operation="addDestination"\} [3-9]' "$TOPO_DIR/metrics.txt"
check "/metrics: reconcile duration histogram" grep -Eq '^vigil_ipvs_reconcile_duration_seconds_count [1-9]' "$TOPO_DIR/metrics.txt"
check "/metrics: TCP_CHECK probes counted as successes" \
  grep -Eq '^vigil_checks_total\{checker="TCP_CHECK",result="success"\} [1-9]' "$TOPO_DIR/metrics.txt"
check "/metrics: probe latency histogram" \
  grep -Eq '^vigil_check_duration_seconds_bucket\{checker="TCP_CHECK",le="\+Inf"\} [1-9]' "$TOPO_DIR/metrics.txt"
check "/metrics: real server r2 up" grep -q 'vigil_check_real_server_up{virtual_server="10.10.1.100:80",real_server="10.10.2.22:8080"} 1.0' "$TOPO_DIR/metrics.txt"
ip netns exec "$D" "$VIGIL_BIN" status > "$TOPO_DIR/table.txt" 2>&1

# node_exporter's IPVS collector as the reference for the node_ipvs_* names, labels and values.
ip netns exec "$D" setsid prometheus-node-exporter --collector.disable-defaults --collector.ipvs \
  --web.listen-address=127.0.0.1:9100 > "$TOPO_DIR/node-exporter.log" 2>&1 &
NE_PID=$!
for _ in 1 2 3 4 5 6; do topo_get 2 > /dev/null; done
same_as_node_exporter() {  # the active/inactive counts can move between the two scrapes: up to three tries
  local try
  for try in 1 2 3; do
    get /metrics > "$TOPO_DIR/metrics-ipvs.txt" &&
      ip netns exec "$D" curl -fsS --max-time 5 http://127.0.0.1:9100/metrics > "$TOPO_DIR/node-exporter.txt" &&
      scripts/control/compare-node-ipvs.py "$TOPO_DIR/metrics-ipvs.txt" "$TOPO_DIR/node-exporter.txt" && return 0
    sleep 1
  done
  return 1
}
check "/metrics: node_ipvs_* equal node_exporter's IPVS collector (totals, backends' connections and weights)" \
  topo_wait 20 "node_exporter up" same_as_node_exporter
check "/metrics: per-service traffic counted (requests through the VIP)" \
  grep -Eq '^vigil_ipvs_service_connections_total\{service="TCP 10.10.1.100:80"\} [1-9][0-9]*$' "$TOPO_DIR/metrics-ipvs.txt"
check "/metrics: per-real-server traffic counted" \
  grep -Eq '^vigil_ipvs_backend_incoming_packets_total\{service="TCP 10.10.1.100:80",real_server="10.10.2.2[123]:8080"\} [1-9]' "$TOPO_DIR/metrics-ipvs.txt"
check "/metrics: promtool check metrics is clean with the IPVS traffic" bash -c "promtool check metrics < '$TOPO_DIR/metrics-ipvs.txt'"
check "vigil status shows the pool with r2 UP" grep -Eq '10\.10\.2\.22:8080 +UP' "$TOPO_DIR/table.txt"

topo_nginx_stop 2
check "/status: r2 DOWN with the check's reason and out of the pool" \
  topo_wait 20 "r2 DOWN" st "any(r['address']=='10.10.2.22:8080' and r['health']=='DOWN' and r.get('ipvsWeight') is None and r['reason'] for r in $pool)"
get /metrics > "$TOPO_DIR/metrics2.txt"
check "/metrics: deleteDestination counted" grep -Eq '^vigil_ipvs_operations_total\{operation="deleteDestination"\} [1-9]' "$TOPO_DIR/metrics2.txt"
check "/metrics: r2 change to down counted" \
  grep -q 'vigil_check_real_server_changes_total{virtual_server="10.10.1.100:80",real_server="10.10.2.22:8080",result="down"} 1' "$TOPO_DIR/metrics2.txt"
check "/metrics: TCP_CHECK failures counted" \
  grep -Eq '^vigil_checks_total\{checker="TCP_CHECK",result="failure"\} [1-9]' "$TOPO_DIR/metrics2.txt"
check "/metrics: r2 leaves node_ipvs_backend_weight with its destination" \
  bash -c "! grep -q 'node_ipvs_backend_weight{.*remote_address=\"10.10.2.22\"' '$TOPO_DIR/metrics2.txt'"
check "/events: the DOWN line" bash -c "ip netns exec $D curl -fsS http://127.0.0.1:9678/events | grep -q 'real server 10.10.2.22:8080 DOWN'"
probes_ok() {  # every real server has probes with a latency; r2's last one failed
  get /probes | python3 -c "
import json, sys
p = {r['realServer']: r['probes'] for r in json.load(sys.stdin)['realServers']}
ok = len(p) == 3 and all(len(v) >= 2 and v[0][1] > 0 for v in p.values()) and p['10.10.2.22:8080'][-1][2] == 0
sys.exit(0 if ok else 1)"
}
check "/probes: the latest probes of the 3 real servers with their latency, r2's last one failed" probes_ok
# The dashboard's inputs, captured here and drawn on the host after the VM run (make test-vm runs
# scripts/control/vm-dashboard-check.sh): Chromium under the emulated CPU takes minutes, on the host a second.
cap=${VIGIL_DASHBOARD_CAPTURE:-$PWD/.build-vm/dashboard-capture}
rm -rf "$cap"; mkdir -p "$cap"
get / > "$cap/index.html"; get /status > "$cap/status.json"; get /probes > "$cap/probes.json"
get "/events?limit=20" > "$cap/events.json"
check "the dashboard's page, /status, /probes and /events captured for the host's screenshot ($cap)" \
  bash -c "test -s '$cap/index.html' && test -s '$cap/status.json' && test -s '$cap/probes.json' && test -s '$cap/events.json'"
