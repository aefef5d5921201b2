#!/usr/bin/env bash
# Host integration suite of the control endpoint (issue #6, "Seeing it"): `vigil run -P` (VRRP only) in a network
# namespace this script creates, with a virtual_server in the config so the pool shows (no IPVS needed with -P).
#   1. GET /status, /metrics, /events on the control endpoint; `vigil status` (table, --json, --events);
#   2. the dashboard `/` rendered by headless Chromium shows the instance, its state and the pool;
#   3. SIGUSR1 / SIGUSR2 write /tmp/keepalived.data and /tmp/keepalived.stats (keepalived's layout), each with
#      Vigil's JSON beside it (.json);
#   4. systemd: a unix datagram socket bound here receives READY=1, STATUS=, WATCHDOG=1 and STOPPING=1;
#   5. `vigil run -t` exits with keepalived's codes: 6 on the good config (a vrrp_script without
#      enable_script_security), 4 on a broken one; --no-control serves nothing;
#   6. `--control unix:PATH`: a socket of mode 0600 replacing a stale one, read by curl and `vigil status`, no TCP
#      port, refused by a second daemon while the first listens, removed at stop;
#   7. `--control-token-file`: a loose file refused at start; POST /handover on TCP refused (401) without the token,
#      with a wrong one or with more after it, served to `vigil handover --token-file`;
#   8. the dashboard's pictures with a keepalived peer (its own namespace, priority 200): the peer in /status and
#      in the peers table while it is MASTER and once it is killed (silent), the state timeline with MASTER, BACKUP
#      and MASTER again, and a Chromium screenshot in which the timeline's colours are counted (pixels, not markup).
# A missing prerequisite is a failure with a message, never a skip. Everything created is removed on exit.
set -u
cd "$(dirname "$0")/../.."
VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
NS=vigil-ctl-$$
PORT=9678
WORK=$(mktemp -d /tmp/vigil-control.XXXXXX)
pids=()
. scripts/lib/suite.sh
finish() {
  local rc=$?
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
  suite_failed "$rc" && suite_tail_logs 30 "$WORK"/*.log
  ip netns del "$NS" 2>/dev/null
  ip netns del "$NS-peer" 2>/dev/null
  rm -rf "$WORK" /tmp/keepalived.data /tmp/keepalived.data.json /tmp/keepalived.stats /tmp/keepalived.stats.json
  suite_summary "control host tests" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the control host suite (network namespaces)"
suite_need_tools ip curl python3 setsid chromium promtool keepalived
suite_need_vigil

ip netns add "$NS" || { echo "error: cannot create namespace $NS" >&2; exit 1; }
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns ip link add c0 type veth peer name c1
in_ns ip addr add 10.77.0.1/24 dev c0
in_ns ip link set c0 up
in_ns ip link set c1 up

cat > "$WORK/keepalived.conf" <<CONF
global_defs {
  router_id ctl_test
}
vrrp_script chk_down {
  script "/bin/false"
  interval 1
  fall 1
  weight -20
}
vrrp_instance VI_CTL {
  state BACKUP
  interface c0
  virtual_router_id 77
  priority 150
  advert_int 1
  virtual_ipaddress {
    10.77.0.100/24
  }
  track_script {
    chk_down
  }
}
virtual_server 10.77.0.100 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 10.77.0.21 8080 {
    weight 2
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
CONF

# A unix datagram socket standing in for systemd's NOTIFY_SOCKET: every datagram becomes one line in notify.log.
NOTIFY="$WORK/notify.sock"
setsid python3 - "$NOTIFY" "$WORK/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", " | ") + "\n")
PY
pids+=($!)
for _ in $(seq 50); do [ -S "$NOTIFY" ] && break; sleep 0.1; done

start_vigil() {  # extra args…; the pid (= process group) is in $vigil_pid
  setsid ip netns exec "$NS" env NOTIFY_SOCKET="$NOTIFY" WATCHDOG_USEC=1000000 \
    "$VIGIL_BIN" run -n -l --no-syslog -P -f "$WORK/keepalived.conf" -p "$WORK/vigil.pid" "$@" > "$WORK/vigil.log" 2>&1 &
  vigil_pid=$!
  pids+=("$vigil_pid")
}
wait_for() {  # seconds description command…
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "     (timed out after ${secs}s waiting for $what)"
  return 1
}
get() { in_ns curl -fsS --max-time 5 "http://127.0.0.1:$PORT$1"; }
is_master() { get /status | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s["instances"][0]["state"]=="MASTER" else 1)'; }

# --- 1. endpoints
start_vigil
check "the control endpoint answers /status" wait_for 20 "/status" get /status
check "the instance becomes MASTER (seen in /status)" wait_for 15 "MASTER" is_master
get /status > "$WORK/status.json"
json_is() { python3 -c "import json,sys; s=json.load(open('$WORK/status.json')); sys.exit(0 if ($1) else 1)"; }
check "/status lists the VIP" json_is 's["instances"][0]["vips"] == ["10.77.0.100"]'
check "/status has the transition to MASTER with its reason" \
  json_is 'any(t["to"]=="MASTER" and "master down timer" in t["reason"] for t in s["instances"][0]["transitions"])'
check "/status lists the virtual server and its real server" \
  json_is 's["virtualServers"][0]["name"]=="10.77.0.100:80" and s["virtualServers"][0]["realServers"][0]["address"]=="10.77.0.21:8080"'
priority_shown() {
  get /status | python3 -c 'import json,sys; i=json.load(sys.stdin)["instances"][0]; sys.exit(0 if i["effectivePriority"]==130 and "track_script chk_down down: -20" in i["priorityReason"] else 1)'
}
check "/status: effective priority 130 with the failing tracker's -20 as the reason" wait_for 10 "priority 130" priority_shown
check "/status counts adverts sent" json_is 's["instances"][0]["adverts"]["sent"] >= 1'
get /metrics > "$WORK/metrics.txt"
check "/metrics: state gauge MASTER = 1" grep -qx 'vigil_vrrp_instance_state{instance="VI_CTL",state="MASTER"} 1.0' "$WORK/metrics.txt"
check "/metrics: one transition to MASTER" grep -qx 'vigil_vrrp_transitions_total{instance="VI_CTL",state="MASTER"} 1' "$WORK/metrics.txt"
check "/metrics: adverts sent counter" grep -q '^vigil_vrrp_adverts_sent_total{instance="VI_CTL"} [1-9]' "$WORK/metrics.txt"
check "/metrics: the keepalived exporter's state gauge (MASTER = 2) per VIP" \
  grep -qx 'keepalived_vrrp_state{iname="VI_CTL",intf="c0",vrid="77",ip_address="10.77.0.100"} 2' "$WORK/metrics.txt"
check "/metrics: the keepalived exporter's adverts sent" \
  grep -q '^keepalived_advertisements_sent_total{iname="VI_CTL",intf="c0",vrid="77"} [1-9]' "$WORK/metrics.txt"
check "/metrics: the keepalived exporter's script status (chk_down BAD = 0)" \
  grep -qx 'keepalived_script_status{name="chk_down"} 0' "$WORK/metrics.txt"
check "/metrics: promtool check metrics is clean (VRRP side and the keepalived exporter's names)" \
  bash -c "promtool check metrics < '$WORK/metrics.txt'"
check "/metrics: served as Prometheus text" \
  bash -c "ip netns exec $NS curl -fsS -D - -o /dev/null --max-time 5 http://127.0.0.1:$PORT/metrics | grep -qi '^content-type: text/plain; version=0.0.4'"
check "/events has the BACKUP -> MASTER transition" bash -c "ip netns exec $NS curl -fsS http://127.0.0.1:$PORT/events | grep -q 'VI_CTL BACKUP -> MASTER'"
check "/events?after= filters older entries" bash -c "ip netns exec $NS curl -fsS 'http://127.0.0.1:$PORT/events?after=1000' | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin) == [] else 1)'"
in_ns "$VIGIL_BIN" status > "$WORK/table.txt" 2>&1
check "vigil status prints the instance as MASTER with its effective priority" grep -Eq '^VI_CTL +MASTER +130 \(150\) +77 +c0 +10\.77\.0\.100' "$WORK/table.txt"
check "vigil status prints the pool" grep -Eq '^10\.77\.0\.100:80 +10\.77\.0\.21:8080' "$WORK/table.txt"
check "vigil status --json is the served JSON" bash -c "ip netns exec $NS $VIGIL_BIN status --json --control 127.0.0.1:$PORT | python3 -c 'import json,sys; json.load(sys.stdin)'"
check "vigil status --events lists the transition" bash -c "ip netns exec $NS $VIGIL_BIN status --events | grep -q 'vrrp  VI_CTL BACKUP -> MASTER'"
check "vigil status against a closed port fails with a message" \
  bash -c "! ip netns exec $NS $VIGIL_BIN status --control 127.0.0.1:1 2> $WORK/closed.err && grep -q 'connect to 127.0.0.1:1' $WORK/closed.err"

# --- 2. dashboard in headless Chromium
in_ns chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" --virtual-time-budget=5000 \
  --dump-dom "http://127.0.0.1:$PORT/" > "$WORK/dom.html" 2> "$WORK/chromium.log"
dom_has() { grep -q "$1" "$WORK/dom.html"; }
check "dashboard shows the instance" dom_has '<td>VI_CTL</td>'
check "dashboard shows its state MASTER" dom_has '<td class="MASTER">MASTER</td>'
check "dashboard names this node as the VIP owner" dom_has '<td>this node</td>'
check "dashboard shows the real server" dom_has '<td>10.77.0.21:8080</td>'
check "dashboard lists the transition event" dom_has 'VI_CTL BACKUP -&gt; MASTER'

# --- 3. dumps
rm -f /tmp/keepalived.data /tmp/keepalived.data.json /tmp/keepalived.stats /tmp/keepalived.stats.json
kill -USR1 "$vigil_pid"
check "SIGUSR1 writes /tmp/keepalived.data" wait_for 5 "keepalived.data" grep -q '^   State = MASTER$' /tmp/keepalived.data
check "SIGUSR1 writes /tmp/keepalived.data.json" wait_for 5 "keepalived.data.json" \
  python3 -c 'import json; s=json.load(open("/tmp/keepalived.data.json")); assert s["instances"][0]["state"]=="MASTER"'
kill -USR2 "$vigil_pid"
check "SIGUSR2 writes /tmp/keepalived.stats" wait_for 5 "keepalived.stats" grep -q '^  Became master: 1$' /tmp/keepalived.stats
check "SIGUSR2 writes /tmp/keepalived.stats.json" wait_for 5 "keepalived.stats.json" \
  python3 -c 'import json; s=json.load(open("/tmp/keepalived.stats.json")); assert s["instances"][0]["becameMaster"]==1'
check "the daemon is still running after SIGUSR1/2" kill -0 "$vigil_pid"

# --- 4. systemd notification
check "READY=1 was sent" grep -q 'READY=1' "$WORK/notify.log"
check "STATUS= names the instance" wait_for 5 "STATUS" grep -q 'STATUS=VI_CTL MASTER' "$WORK/notify.log"
check "WATCHDOG=1 is sent (WATCHDOG_USEC=1 s: every 0.5 s)" \
  bash -c "[ \$(grep -c 'WATCHDOG=1' $WORK/notify.log) -ge 2 ]"
kill -HUP "$vigil_pid"
check "SIGHUP sends RELOADING=1 then READY=1" wait_for 5 "RELOADING" \
  bash -c "grep -n 'RELOADING=1' $WORK/notify.log | head -1 | cut -d: -f1 | { read r; [ -n \"\$r\" ] && tail -n +\$r $WORK/notify.log | grep -q 'READY=1'; }"
kill -TERM "$vigil_pid"
check "SIGTERM sends STOPPING=1" wait_for 10 "STOPPING" grep -q 'STOPPING=1' "$WORK/notify.log"
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
check "the daemon exits after SIGTERM" wait_for 10 "exit" gone "$vigil_pid"

# --- 5. -t and --no-control
check "vigil run -t accepts the config; its vrrp_script without enable_script_security gives keepalived's 6" \
  bash -c "ip netns exec $NS $VIGIL_BIN run -t -f $WORK/keepalived.conf 2> $WORK/good.err; [ \$? -eq 6 ]"
sed 's/priority 150/priority 300/' "$WORK/keepalived.conf" > "$WORK/bad.conf"
check "vigil run -t rejects a broken config (exit 4, keepalived's) with its position" \
  bash -c "$VIGIL_BIN run -t -f $WORK/bad.conf 2> $WORK/bad.err; [ \$? -eq 4 ] && grep -q 'bad.conf:' $WORK/bad.err"
start_vigil --no-control
sleep 2
check "--no-control serves nothing" bash -c "! ip netns exec $NS curl -fsS --max-time 2 http://127.0.0.1:$PORT/status"
check "--no-control still runs VRRP" kill -0 "$vigil_pid"
kill -TERM "$vigil_pid"
check "--no-control daemon exits after SIGTERM" wait_for 10 "exit" gone "$vigil_pid"

# --- 6. the control endpoint on a unix socket
SOCK="$WORK/control.sock"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SOCK"   # stale: nobody listens
check "a stale socket file is there before the start" test -S "$SOCK"
start_vigil --control "unix:$SOCK"
uget() { curl -fsS --max-time 5 --unix-socket "$SOCK" "http://localhost$1" > /dev/null; }
check "/status answers on the unix socket (the stale file replaced)" wait_for 20 "/status on $SOCK" uget /status
check "the socket is mode 0600 (root only)" bash -c "[ \$(stat -c %a $SOCK) = 600 ]"
check "the log names the socket" grep -q "control endpoint on unix:$SOCK (mode 0600)" "$WORK/vigil.log"
check "no TCP control port is open meanwhile" bash -c "! ip netns exec $NS curl -fsS --max-time 2 http://127.0.0.1:$PORT/status"
check "vigil status --control unix:PATH prints the instance" \
  bash -c "ip netns exec $NS $VIGIL_BIN status --control unix:$SOCK | grep -Eq '^VI_CTL +(BACKUP|MASTER)'"
check "/metrics on the unix socket" bash -c "curl -fsS --max-time 5 --unix-socket $SOCK http://localhost/metrics | grep -q '^vigil_vrrp_adverts_sent_total'"
sed -e 's/interface c0/interface c1/' -e 's/virtual_router_id 77/virtual_router_id 78/' "$WORK/keepalived.conf" > "$WORK/second.conf"
setsid ip netns exec "$NS" "$VIGIL_BIN" run -n -l --no-syslog -P -f "$WORK/second.conf" -p "$WORK/second.pid" \
  --control "unix:$SOCK" > "$WORK/second.log" 2>&1 &
second_pid=$!
pids+=("$second_pid")
check "a second daemon on the same path refuses it (in use) and logs why" \
  wait_for 20 "in use" grep -q "unix:$SOCK is in use" "$WORK/second.log"
check "the first daemon still answers on its socket" uget /status
kill -TERM "$second_pid"
check "the second daemon exits after SIGTERM" wait_for 10 "exit" gone "$second_pid"
check "the first daemon's socket survives the second's stop" uget /status
check "vigil status on a missing socket fails with a message" \
  bash -c "! $VIGIL_BIN status --control unix:$WORK/none.sock 2> $WORK/none.err && grep -q 'connect to unix:$WORK/none.sock' $WORK/none.err"
check "vigil status --control with a relative unix path is refused (exit 64)" \
  bash -c "$VIGIL_BIN status --control unix:relative.sock 2> $WORK/rel.err; [ \$? -eq 64 ] && grep -q 'unix:/ABSOLUTE/PATH' $WORK/rel.err"
kill -TERM "$vigil_pid"
check "the daemon exits after SIGTERM" wait_for 10 "exit" gone "$vigil_pid"
check "the socket file is removed at stop" bash -c "! test -e $SOCK"

# --- 7. the handover on TCP with a control token (issue #18)
TOKEN="$WORK/token"
printf 'vigil-test-token-0123456789\n' > "$TOKEN"; chmod 644 "$TOKEN"
check "vigil run refuses a token file others may read (exit 64, the reason)" \
  bash -c "ip netns exec $NS $VIGIL_BIN run -n -l --no-syslog -P -f $WORK/keepalived.conf --control-token-file $TOKEN 2> $WORK/token.err; [ \$? -eq 64 ] && grep -q 'users other than its owner may read or write it (mode 644); chmod 600 it' $WORK/token.err"
chmod 600 "$TOKEN"
start_vigil --control-token-file "$TOKEN"
check "/status answers on TCP with a token file" wait_for 20 "/status" in_ns curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/status"
code() { in_ns curl -s -o "$WORK/code.txt" -w '%{http_code}' --max-time 5 -X POST "$@" "http://127.0.0.1:$PORT/handover"; }
check "a handover on TCP without the token is refused (401)" [ "$(code)" = 401 ]
check "a handover on TCP with a wrong token is refused (401)" [ "$(code -H 'Authorization: Bearer vigil-test-token-0123456780')" = 401 ]
check "a handover on TCP with the token and more after it is refused (401)" [ "$(code -H "Authorization: Bearer vigil-test-token-0123456789$(printf 'x%.0s' $(seq 256))")" = 401 ]
check "the refusals are logged" grep -q "control: handover refused on TCP: wrong token" "$WORK/vigil.log"
check "vigil handover on TCP with --token-file is served" \
  bash -c "ip netns exec $NS $VIGIL_BIN handover --cancel --control 127.0.0.1:$PORT --token-file $TOKEN | grep -q '^VI_CTL: '"
check "the served request is logged" grep -q "control: handover cancelled for every instance" "$WORK/vigil.log"
check "vigil handover on TCP without a token fails with the endpoint's reason" \
  bash -c "! ip netns exec $NS $VIGIL_BIN handover --control 127.0.0.1:$PORT 2> $WORK/notoken.err && grep -q '401' $WORK/notoken.err"
kill -TERM "$vigil_pid"
check "the daemon exits after SIGTERM" wait_for 10 "exit" gone "$vigil_pid"

# --- 8. the dashboard's pictures, with a keepalived peer (issue #17)
# The peer's end moves first: moving it takes c0's carrier away for a moment (the instance would go FAULT).
ip netns add "$NS-peer"
ip -n "$NS" link set c1 netns "$NS-peer"
ip -n "$NS-peer" link set lo up
ip -n "$NS-peer" addr add 10.77.0.2/24 dev c1
ip -n "$NS-peer" link set c1 up
start_vigil
check "the daemon is MASTER again for the pictures" wait_for 20 "MASTER" is_master
sed -e 's/interface c0/interface c1/' -e 's/priority 150/priority 200/' -e '/track_script {/,/}/d' \
  -e '/^virtual_server/,$d' "$WORK/keepalived.conf" > "$WORK/peer.conf"
setsid ip netns exec "$NS-peer" keepalived -n -l -D --vrrp -f "$WORK/peer.conf" -p "$WORK/ka.pid" \
  -r "$WORK/ka.vpid" -c "$WORK/ka.cpid" > "$WORK/keepalived.log" 2>&1 &
ka_pid=$!
pids+=("$ka_pid")
is_backup() { get /status | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s["instances"][0]["state"]=="BACKUP" else 1)'; }
check "keepalived (priority 200) takes over: the daemon goes BACKUP" wait_for 20 "BACKUP" is_backup
peer_is() {  # role
  get /status | python3 -c "import json,sys; p=json.load(sys.stdin)['instances'][0].get('peers') or []; sys.exit(0 if p and p[0]['address']=='10.77.0.2' and p[0]['priority']==200 and p[0]['role']=='$1' and p[0]['adverts']>=2 else 1)"
}
check "/status: the peer 10.77.0.2 at priority 200 is the MASTER, from its adverts" wait_for 10 "peer MASTER" peer_is MASTER
dashboard_color() {  # key of DashboardPage.colors, read from the page served
  get / | python3 -c "import json,re,sys; print(json.loads(re.search(r'const COLORS = (\{[^}]*\})', sys.stdin.read()).group(1))['$1'])"
}
shoot() {  # name: the DOM and a screenshot of the dashboard after it has polled a few times
  in_ns chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium-$1" --virtual-time-budget=4000 \
    --window-size=1100,1000 --dump-dom "http://127.0.0.1:$PORT/" > "$WORK/$1.html" 2>> "$WORK/chromium.log"
  in_ns chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium-$1" --virtual-time-budget=4000 \
    --window-size=1100,1000 --screenshot="$WORK/$1.png" "http://127.0.0.1:$PORT/" >> "$WORK/chromium.log" 2>&1
}
shoot backup
check "dashboard: the peers table shows 10.77.0.2, priority 200, MASTER" \
  grep -q '<td>10.77.0.2</td><td>200</td><td class="MASTER">MASTER</td>' "$WORK/backup.html"
check "dashboard: the timeline has a MASTER segment then a BACKUP one" \
  bash -c "grep -o 'class=\"seg seg-[A-Z]*\"' '$WORK/backup.html' | tr '\n' ' ' | grep -q 'seg-MASTER.*seg-BACKUP'"
check "dashboard: the change is listed with its reason" grep -q 'VI_CTL · .* · MASTER → BACKUP: ' "$WORK/backup.html"
kill -KILL -- "-$ka_pid"
check "keepalived killed: the daemon is MASTER again" wait_for 15 "MASTER" is_master
check "/status: the peer is now silent" wait_for 10 "peer silent" peer_is silent
shoot master
check "dashboard: the peer shows as silent" grep -q '<td>10.77.0.2</td><td>200</td><td class="silent">silent</td>' "$WORK/master.html"
check "dashboard: the timeline runs MASTER, BACKUP, MASTER" \
  bash -c "grep -o 'class=\"seg seg-[A-Z]*\"' '$WORK/master.html' | tr '\n' ' ' | grep -q 'seg-MASTER.*seg-BACKUP.*seg-MASTER'"
check "screenshot: the timeline's MASTER and BACKUP segments are drawn (pixels of their colours)" \
  scripts/control/png-colors.py "$WORK/master.png" master=$(dashboard_color timelineMaster):400 backup=$(dashboard_color timelineBackup):2000
kill -TERM "$vigil_pid"
check "the daemon exits after SIGTERM" wait_for 10 "exit" gone "$vigil_pid"
