# The anycast lab (sourced by scripts/e2e/anycast.sh and scripts/e2e/anycast-bench.sh; docs/anycast.md):
#   client (vac-c) — router (vac-r: BIRD, eBGP + BFD, ECMP) — director k (vac-dk: BIRD from `vigil bgp render`, Vigil)
#   — real server k (vac-sk: scripts/e2e/anycast-server.py), k = 1 … ANYCAST_DIRECTORS (default 2), LVS-NAT.
# The caller sets LAB_NAME (its summary line) and LAB_ECHO=1 to announce the echo service on port 7 as well; it
# sources scripts/lib/suite.sh first. `lab_up` builds it all; the EXIT trap removes everything.
VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
VIP=192.0.2.80
TABLE=198
DIR=$(mktemp -d /tmp/vigil-anycast.XXXXXX)
NS_R=vac-r NS_C=vac-c
DIRECTORS=${ANYCAST_DIRECTORS:-2}
PGIDS=()
declare -A VIGIL_PG BIRD_PG SERVER_PG

lab_finish() {
  local rc=$?
  suite_failed "$rc" && suite_tail_logs 30 "$DIR"/vigil*.log "$DIR"/bird-*.log
  local pg
  for pg in "${PGIDS[@]}"; do kill -KILL -- "-$pg" 2>/dev/null; done
  for ns in $NS_R $NS_C $(for k in $(seq "$DIRECTORS"); do echo "vac-d$k vac-s$k"; done); do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$DIR"
  suite_summary "$LAB_NAME" "$rc"
}
trap 'lab_finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "$LAB_NAME"
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

server_start() {
  setsid ip netns exec "vac-s$1" python3 scripts/e2e/anycast-server.py "s$1" "10.98.1$1.2" >"$DIR/server$1.log" 2>&1 &
  SERVER_PG[$1]=$!; PGIDS+=("$!")
  # Python starts slowly on an emulated CPU (over 30 s seen when python3 is a pyenv shim on the 9p root): the
  # callers' bounds count from the moment the server listens.
  wait_for 90 "real server $1 ready" grep -q '^ready' "$DIR/server$1.log" ||
    { echo "# real server $1 did not start:"; sed 's/^/#   /' "$DIR/server$1.log"; }
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
sessions_up() { [ "$(ip netns exec $NS_R birdc -s "$DIR/bird-r.ctl" show protocols | grep -c Established)" -eq "$DIRECTORS" ]; }

# fib_ms AFTER_MS REGEX — the instant (ms) of the router's first route notification after AFTER_MS matching REGEX
# (`ip -ts monitor route`, timestamped by the kernel's notification, no polling delay).
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

# host_hang K — director K's host hangs: its processes frozen, every packet dropped, its link left up (only BFD can
# tell). host_revive K — undone: the frozen processes are killed, the drop removed, BIRD and Vigil started again.
host_hang() {
  ip netns exec "vac-d$1" nft -f - <<'EOF'
table inet hostdeath {
    chain in { type filter hook input priority -500; policy drop; }
    chain out { type filter hook output priority -500; policy drop; }
}
EOF
  kill -STOP -- "-${VIGIL_PG[$1]}" "-${BIRD_PG[d$1]}" 2>/dev/null
}
host_revive() {
  kill -KILL -- "-${VIGIL_PG[$1]}" "-${BIRD_PG[d$1]}" 2>/dev/null
  wait "${VIGIL_PG[$1]}" "${BIRD_PG[d$1]}" 2>/dev/null
  ip netns exec "vac-d$1" nft delete table inet hostdeath
  bird_start "vac-d$1" "d$1" "$DIR/bird-d$1.conf"
  vigil_start "$1"
}

# lab_config K — director K's configuration: the web service on port 80 (and the echo service on 7 with LAB_ECHO).
lab_config() {
  local k=$1 port
  printf 'global_defs {\n    router_id director-%s\n    vigil_route_table %s\n}\n' "$k" "$TABLE"
  for port in 80 ${LAB_ECHO:+7}; do
    cat <<EOF
virtual_server $VIP $port {
    vigil_announce
    delay_loop 1
    lb_algo mh
    lb_kind NAT
    protocol TCP
    real_server 10.98.1$k.2 $port {
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
EOF
  done
}

# lab_up — the namespaces, links, configurations, BIRD everywhere and the real servers (not Vigil), then waits for
# the router's BGP sessions, one per director. Counts its own checks (the rendered snippets are accepted by BIRD).
lab_up() {
  local ns k
  for ns in $NS_R $NS_C $(for k in $(seq "$DIRECTORS"); do echo "vac-d$k vac-s$k"; done); do
    ip netns add "$ns" && ip -n "$ns" link set lo up || { echo "error: cannot create namespace $ns" >&2; exit 1; }
  done
  lab_link $NS_C eth0 10.98.0.2/24 $NS_R rc 10.98.0.1/24
  ip -n $NS_C route add default via 10.98.0.1
  ip netns exec $NS_R sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
  for k in $(seq "$DIRECTORS"); do
    lab_link $NS_R "r$k" "10.98.$k.1/24" "vac-d$k" eth0 "10.98.$k.2/24"
    lab_link "vac-d$k" srv "10.98.1$k.1/24" "vac-s$k" eth0 "10.98.1$k.2/24"
    ip -n "vac-d$k" route add default via "10.98.$k.1"
    ip -n "vac-s$k" route add default via "10.98.1$k.1"
    ip netns exec "vac-d$k" sysctl -qw net.ipv4.ip_forward=1
    lab_config "$k" > "$DIR/vigil$k.conf"
  done
  # The router's FIB changes, timestamped by the kernel (fib_ms).
  setsid ip netns exec $NS_R ip -ts monitor route >"$DIR/router-monitor.log" 2>&1 &
  PGIDS+=("$!")
  # BIRD: the router learns every director with ECMP; each director learns its own table (the rendered snippet).
  {
    printf 'router id 10.98.0.1;\nprotocol device {}\n'
    printf 'protocol kernel { ipv4 { import none; export all; }; merge paths on; }\nprotocol bfd {}\n'
    for k in $(seq "$DIRECTORS"); do
      # A revived director's session comes back within seconds: BIRD's defaults (connect retry 120 s, an error wait
      # of 60 s doubling to 300 s) would keep it out for minutes after a few host deaths.
      printf 'protocol bgp d%s { local as 65000; neighbor 10.98.%s.2 as 65001; bfd on; connect retry time 2; error wait time 1, 5; ipv4 { import all; export none; }; }\n' "$k" "$k"
    done
  } > "$DIR/bird-r.conf"
  bird_start $NS_R r "$DIR/bird-r.conf"
  for k in $(seq "$DIRECTORS"); do
    {
      echo "router id 10.98.$k.2;"
      echo "protocol device {}"
      "$VIGIL_BIN" bgp render --bird -f "$DIR/vigil$k.conf" --peer "10.98.$k.1" --peer-as 65000 --local-as 65001 --bfd
    } > "$DIR/bird-d$k.conf" || not_ok "vigil bgp render --bird for director $k"
    check "BIRD accepts the rendered snippet of director $k" ip netns exec "vac-d$k" bird -p -c "$DIR/bird-d$k.conf"
    bird_start "vac-d$k" "d$k" "$DIR/bird-d$k.conf"
    server_start "$k"
  done
  check "the router's $DIRECTORS BGP sessions are established" wait_for 60 "BGP sessions" sessions_up
}
lab_link() {   # lab_link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3" dev "$2"; ip -n "$1" link set "$2" up
  ip -n "$4" addr add "$6" dev "$5"; ip -n "$4" link set "$5" up
}
