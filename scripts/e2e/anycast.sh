#!/usr/bin/env bash
# VM suite of active-active directors (issue #16, docs/anycast.md): two `vigil run` directors announce the same
# service address through BIRD 2 over eBGP (with BFD) to a router that runs BIRD with ECMP; a client behind the
# router reaches the real server behind each director over LVS-NAT. Runs inside the qemu lab (`make test-vm`), or
# directly on a host kernel with IPVS.
#   1. both directors announce: the router's kernel route to the VIP has one next hop per director, `/status` and
#      `/metrics` say announced, the client is served by both real servers (L4 ECMP hashing);
#   2. director 2's pool fails: its route is withdrawn within 50 ms of the quorum loss (vigil's own log lines), the
#      router drops the next hop (the time from the withdrawal is printed), every request goes to director 1;
#   3. the pool returns: announced again, two next hops;
#   4. SIGTERM of director 2: its route and loopback address are gone, the router is down to one next hop;
#   5. crash (SIGKILL) with a healthy pool, restart: the route left behind is kept, never withdrawn;
#   6. crash, the pool dies meanwhile, restart: the route left behind is held for the first checks, then removed;
#   7. host death of director 1 (vigil and BIRD frozen, every packet dropped, the link left up): BFD takes it out of
#      the router's ECMP set within its detection time (the router's FIB notification, timestamped by the kernel).
# A missing prerequisite is a failure with a message, never a skip. Everything is removed on exit.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib/suite.sh

VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
VIP=192.0.2.80
TABLE=198
DIR=$(mktemp -d /tmp/vigil-anycast.XXXXXX)
NS_R=vac-r NS_C=vac-c
PGIDS=()
declare -A VIGIL_PG BIRD_PG SERVER_PG

finish() {
  local rc=$?
  suite_failed "$rc" && suite_tail_logs 30 "$DIR"/vigil*.log "$DIR"/bird-*.log
  local pg
  for pg in "${PGIDS[@]}"; do kill -KILL -- "-$pg" 2>/dev/null; done
  for ns in $NS_R $NS_C vac-d1 vac-d2 vac-s1 vac-s2; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$DIR"
  suite_summary "anycast e2e" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the anycast suite"
suite_need_ipvs
suite_need_tools bird birdc ip curl python3 setsid nft
suite_need_vigil

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
# wait_for LIMIT_S WHAT CMD... — polls CMD every 50 ms.
wait_for() {
  local limit=$1 what=$2; shift 2
  local end=$(( $(now_ms) + limit * 1000 ))
  while ! "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -ge "$end" ] && { echo "# timeout after ${limit}s waiting for: $what" >&2; return 1; }
    sleep 0.05
  done
}
log_ms() { date -d "$(echo "$1" | awk '{ print $1 " " $2 }')" +%s%3N; }   # a vigil log line's instant

# --- topology: client — router — director k — server k (k = 1, 2)
for ns in $NS_R $NS_C vac-d1 vac-d2 vac-s1 vac-s2; do
  ip netns add "$ns" && ip -n "$ns" link set lo up || { echo "error: cannot create namespace $ns" >&2; exit 1; }
done
link() {   # link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3" dev "$2"; ip -n "$1" link set "$2" up
  ip -n "$4" addr add "$6" dev "$5"; ip -n "$4" link set "$5" up
}
link $NS_C eth0 10.98.0.2/24 $NS_R rc 10.98.0.1/24
ip -n $NS_C route add default via 10.98.0.1
ip netns exec $NS_R sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
for k in 1 2; do
  d=vac-d$k s=vac-s$k
  link $NS_R "r$k" "10.98.$k.1/24" "$d" eth0 "10.98.$k.2/24"
  link "$d" srv "10.98.1$k.1/24" "$s" eth0 "10.98.1$k.2/24"
  ip -n "$d" route add default via "10.98.$k.1"
  ip -n "$s" route add default via "10.98.1$k.1"
  ip netns exec "$d" sysctl -qw net.ipv4.ip_forward=1
  mkdir -p "$DIR/www$k" && echo "s$k" > "$DIR/www$k/index.html"
  cat > "$DIR/vigil$k.conf" <<EOF
global_defs {
    router_id director-$k
    vigil_route_table $TABLE
}
virtual_server $VIP 80 {
    vigil_announce
    delay_loop 1
    lb_algo mh
    lb_kind NAT
    protocol TCP
    real_server 10.98.1$k.2 80 {
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
EOF
done

server_start() {
  setsid ip netns exec "vac-s$1" python3 -m http.server 80 --bind "10.98.1$1.2" --directory "$DIR/www$1" \
    >"$DIR/server$1.log" 2>&1 &
  SERVER_PG[$1]=$!; PGIDS+=("$!")
}
server_stop() { kill -KILL -- "-${SERVER_PG[$1]}" 2>/dev/null; wait "${SERVER_PG[$1]}" 2>/dev/null; return 0; }
vigil_start() {
  setsid ip netns exec "vac-d$1" "$VIGIL_BIN" run -n -l -D --no-syslog -f "$DIR/vigil$1.conf" -p "$DIR/vigil$1.pid" \
    --ipvs-state "$DIR/owned$1" >>"$DIR/vigil$1.log" 2>&1 &
  VIGIL_PG[$1]=$!; PGIDS+=("$!")
}
vigil_signal() { kill "-$2" -- "-${VIGIL_PG[$1]}" 2>/dev/null; wait "${VIGIL_PG[$1]}" 2>/dev/null; return 0; }
bird_start() {   # bird_start NS NAME CONFIG
  setsid ip netns exec "$1" bird -f -c "$3" -s "$DIR/bird-$2.ctl" >"$DIR/bird-$2.log" 2>&1 &
  BIRD_PG[$2]=$!; PGIDS+=("$!")
}
nexthops() { ip -n $NS_R route show "$VIP/32" | grep -c "nexthop via\|^$VIP via"; }
hops_are() { [ "$(nexthops)" -eq "$1" ]; }
dir_route() { ip -n "vac-d$1" route show table $TABLE "$VIP/32" proto 86 | grep -q "dev lo"; }
no_dir_route() { ! dir_route "$1"; }

# BIRD: the router learns both directors with ECMP; each director learns its own table (the rendered snippet).
cat > "$DIR/bird-r.conf" <<EOF
router id 10.98.0.1;
protocol device {}
protocol kernel { ipv4 { import none; export all; }; merge paths on; }
protocol bfd {}
protocol bgp d1 { local as 65000; neighbor 10.98.1.2 as 65001; bfd on; ipv4 { import all; export none; }; }
protocol bgp d2 { local as 65000; neighbor 10.98.2.2 as 65001; bfd on; ipv4 { import all; export none; }; }
EOF
bird_start $NS_R r "$DIR/bird-r.conf"
for k in 1 2; do
  {
    echo "router id 10.98.$k.2;"
    echo "protocol device {}"
    "$VIGIL_BIN" bgp render --bird -f "$DIR/vigil$k.conf" --peer "10.98.$k.1" --peer-as 65000 --local-as 65001 --bfd
  } > "$DIR/bird-d$k.conf" || not_ok "vigil bgp render --bird for director $k"
  check "BIRD accepts the rendered snippet of director $k" ip netns exec "vac-d$k" bird -p -c "$DIR/bird-d$k.conf"
  bird_start "vac-d$k" "d$k" "$DIR/bird-d$k.conf"
  server_start "$k"
done
# The router's FIB changes, timestamped by the kernel's notifications (no polling delay).
setsid ip netns exec $NS_R ip -ts monitor route >"$DIR/router-monitor.log" 2>&1 &
PGIDS+=("$!")
# fib_ms AFTER_MS REGEX — the instant (ms) of the router's first route notification after AFTER_MS matching REGEX.
fib_ms() {
  python3 - "$DIR/router-monitor.log" "$1" "$2" <<'PY'
import datetime, re, sys
path, after, rx = sys.argv[1], int(sys.argv[2]), re.compile(sys.argv[3])
for line in open(path, errors="replace"):
    m = re.match(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\] (.*)", line)
    if m and rx.search(m.group(2)):
        t = int(datetime.datetime.fromisoformat(m.group(1)).timestamp() * 1000)
        if t >= after:
            print(t)
            break
PY
}
sessions_up() { [ "$(ip netns exec $NS_R birdc -s "$DIR/bird-r.ctl" show protocols | grep -c Established)" -eq 2 ]; }
check "the router's two BGP sessions are established" wait_for 60 "BGP sessions" sessions_up

# --- 1. both announce
vigil_start 1; vigil_start 2
check "director 1 routes $VIP into table $TABLE (proto 86, dev lo)" wait_for 60 "director 1 route" dir_route 1
check "director 2 routes $VIP into table $TABLE" wait_for 60 "director 2 route" dir_route 2
check "the router has one next hop per director" wait_for 30 "two next hops" hops_are 2
ip -n $NS_R route show "$VIP/32" | sed 's/^/# router: /'
check "the VIP is on director 1's loopback" bash -c "ip -n vac-d1 -o addr show dev lo | grep -q ' $VIP/32'"
status=$(ip netns exec vac-d1 curl -s --max-time 5 http://127.0.0.1:9678/status)
check "director 1's /status says announced" bash -c "echo '$status' | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"announcements\"][0]; sys.exit(0 if a[\"announced\"] and a[\"address\"]==\"$VIP\" and a[\"table\"]==$TABLE else 1)'"
metrics=$(ip netns exec vac-d1 curl -s --max-time 5 http://127.0.0.1:9678/metrics | grep '^vigil_route_announced')
check "director 1's /metrics has vigil_route_announced 1 (got '$metrics')" \
  grep -Eqx "vigil_route_announced\{vip=\"$VIP\"\} 1(\.0)?" <<<"$metrics"
served=$(for _ in $(seq 24); do ip netns exec $NS_C curl -s --max-time 3 "http://$VIP/"; done | sort -u | tr -d '\n')
check "the client is served through both directors (got '$served')" [ "$served" = s1s2 ]

# --- 2. director 2's pool fails
t0=$(now_ms)
server_stop 2
if wait_for 20 "director 2 withdraws" no_dir_route 2; then
  quorum=$(grep -m1 "quorum DOWN" "$DIR/vigil2.log")
  withdrawn=$(grep -m1 "$VIP withdrawn from table $TABLE" "$DIR/vigil2.log")
  echo "# quorum line: $quorum"
  echo "# withdraw line: $withdrawn"
  if [ -n "$quorum" ] && [ -n "$withdrawn" ]; then
    gap=$(( $(log_ms "$withdrawn") - $(log_ms "$quorum") ))
    check "the route is withdrawn within 50 ms of the quorum loss (${gap} ms)" [ "$gap" -le 50 ]
  else
    not_ok "the quorum loss and the withdrawal are logged"
  fi
  w=$(log_ms "$withdrawn")
  if wait_for 10 "one next hop" hops_are 1; then
    f=$(fib_ms "$w" "^$VIP via 10.98.1.2")
    if [ -n "$f" ]; then
      ok "the router drops director 2 (its FIB $(( f - w )) ms after the withdrawal, $(( f - t0 )) ms after the server died)"
    else
      ok "the router drops director 2 (no timestamped notification found; the monitor's last lines follow)"
      tail -6 "$DIR/router-monitor.log" | sed 's/^/# monitor: /'
    fi
  else
    not_ok "the router drops director 2"
  fi
else
  not_ok "director 2 withdraws its route"
fi
served=$(for _ in $(seq 12); do ip netns exec $NS_C curl -s --max-time 3 "http://$VIP/" || echo FAIL; done | sort -u | tr -d '\n')
check "every request is served by director 1 (got '$served')" [ "$served" = s1 ]
check "director 2's /status gives the reason" bash -c \
  "ip netns exec vac-d2 curl -s --max-time 5 http://127.0.0.1:9678/status | grep -q 'has no quorum'"

# --- 3. the pool returns
server_start 2
check "director 2 announces again" wait_for 30 "director 2 route" dir_route 2
check "the router has two next hops again" wait_for 30 "two next hops" hops_are 2

# --- 4. SIGTERM
vigil_signal 2 TERM
check "after SIGTERM director 2's route is gone" no_dir_route 2
check "after SIGTERM director 2's loopback address is gone" bash -c "! ip -n vac-d2 -o addr show dev lo | grep -q ' $VIP/'"
check "the router is down to one next hop" wait_for 10 "one next hop" hops_are 1

# --- 5. crash with a healthy pool, restart: kept
vigil_start 2
check "director 2 announces after the restart" wait_for 30 "director 2 route" dir_route 2
vigil_signal 2 KILL
check "after SIGKILL the route is still in the table" dir_route 2
before=$(grep -c "$VIP withdrawn" "$DIR/vigil2.log")
vigil_start 2
check "the restart keeps the route left behind" wait_for 30 "kept" grep -q "$VIP announced in table $TABLE (route kept from an earlier run" "$DIR/vigil2.log"
sleep 4   # past the first checks
check "the kept route was never withdrawn" [ "$(grep -c "$VIP withdrawn" "$DIR/vigil2.log")" -eq "$before" ]
check "the route is in the table after the first checks" dir_route 2

# --- 6. crash, the pool dies meanwhile, restart: held, then removed
vigil_signal 2 KILL
server_stop 2
vigil_start 2
if wait_for 30 "removed" no_dir_route 2; then
  ok "the route left behind is removed once the first checks fail"
  grep "$VIP" "$DIR/vigil2.log" | tail -2 | sed 's/^/# /'
else
  not_ok "the route left behind is removed once the first checks fail"
fi
check "the router is down to one next hop" wait_for 10 "one next hop" hops_are 1
server_start 2
check "director 2 announces once its server is back" wait_for 30 "director 2 route" dir_route 2
check "two next hops again" wait_for 30 "two next hops" hops_are 2

# --- 7. host death of director 1: BFD. The host hangs rather than closes (its processes frozen, every packet dropped,
# the link up): only BFD can tell, as the BGP hold time is minutes.
ip netns exec vac-d1 nft -f - <<'EOF'
table inet hostdeath {
    chain in { type filter hook input priority -500; policy accept; }
    chain out { type filter hook output priority -500; policy accept; }
}
EOF
t0=$(now_ms)
kill -STOP -- "-${VIGIL_PG[1]}" "-${BIRD_PG[d1]}" 2>/dev/null
ip netns exec vac-d1 nft 'add rule inet hostdeath in drop; add rule inet hostdeath out drop'
if wait_for 10 "one next hop" hops_are 1; then
  f=$(fib_ms "$t0" "^$VIP via 10.98.2.2")
  bfd_ms=$(( ${f:-99999} - t0 ))
  check "the router drops director 1 within BFD's detection time after its host died (FIB ${bfd_ms} ms; bound 1500)" \
    [ "$bfd_ms" -le 1500 ]
else
  not_ok "the router drops director 1 after its host died"
fi
served=$(for _ in $(seq 8); do ip netns exec $NS_C curl -s --max-time 3 "http://$VIP/" || echo FAIL; done | sort -u | tr -d '\n')
check "every request is served by director 2 (got '$served')" [ "$served" = s2 ]
vigil_signal 2 TERM
check "after the last stop no announced route is left in director 2" no_dir_route 2
