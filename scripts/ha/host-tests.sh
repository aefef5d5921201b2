#!/usr/bin/env bash
# HA host integration tier: Vigil against the real keepalived (and against itself) in network
# namespaces joined by veth. Root. Each case builds its own lab and removes it (trap).
# Usage: scripts/ha/host-tests.sh [case ...]   (default: all). Prints "ha host: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
: "${VIGIL_BIN:=$PWD/.build/debug/vigil}"
export VIGIL_BIN
HERE=scripts/ha

fail() { echo "    FAIL: $*"; CASE_OK=0; }
need() {
  [ "$(id -u)" = 0 ] || { echo "error: the HA host tier needs root" >&2; exit 1; }
  for t in ip keepalived python3 setsid tcpdump ping; do command -v $t >/dev/null || { echo "error: $t is missing (make deps)" >&2; exit 1; }; done
  [ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing (swift build)" >&2; exit 1; }
}

# conf FILE NAME PRIO VERSION INTERVAL VIP [extra instance lines...]
conf() {
  local file=$1 name=$2 prio=$3 ver=$4 int=$5 vip=$6; shift 6
  {
    echo "vrrp_instance $name {"
    echo "    state BACKUP"
    echo "    interface veth0"
    echo "    virtual_router_id 51"
    echo "    priority $prio"
    echo "    version $ver"
    echo "    advert_int $int"
    if [ "$ver" = 2 ]; then printf '    authentication {\n        auth_type PASS\n        auth_pass s3cret\n    }\n'; fi
    for l in "$@"; do echo "    $l"; done
    printf '    virtual_ipaddress {\n        %s\n    }\n}\n' "$vip"
  } >"$file"
}

# capture_start FILE FILTER — tcpdump on the lab's bridge (sees every node's frames); capture_stop ends it.
capture_start() {
  ip netns exec "$NS_S" tcpdump -l -n -i br0 "$2" > "$1" 2>/dev/null &
  CAPTURE_PID=$!
  sleep 0.5   # tcpdump attaches its filter
}
capture_stop() { sleep 0.3; kill "$CAPTURE_PID" 2>/dev/null; wait "$CAPTURE_PID" 2>/dev/null; }

show_logs() { for f in "$LAB_DIR"/*.log; do echo "    --- $f"; tail -15 "$f" | sed 's/^/    /'; done; }

run_case() {
  local name=$1
  CASE_OK=1
  echo "== $name"
  (
    # Unique per case even when cases run side by side (subshells may share $RANDOM's state).
    LAB_ID="$(printf '%04x' $(( (BASHPID * 7 + RANDOM) % 65536 )))"
    LAB_DIR=$(mktemp -d /tmp/vigil-ha-lab.XXXXXX)
    source $HERE/lab.sh
    trap lab_cleanup EXIT
    trap 'exit 130' INT TERM
    lab_up || { echo "    FAIL: lab setup"; exit 1; }
    CASE_OK=1
    "$name"
    [ "$CASE_OK" = 1 ] || { show_logs; exit 1; }
  ) 2>&1 | grep -v ' Killed ' 
  local rc=${PIPESTATUS[0]}
  if [ "$rc" = 0 ]; then PASSED=$((PASSED + 1)); echo "   ok"; else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); fi
}

# --- cases -----------------------------------------------------------------------------------

# keepalived MASTER (A, 150) + Vigil BACKUP (B, 100), VRRPv2 PASS; SIGKILL keepalived's group.
case_v2_keepalived_master_sigkill() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP at start"
  sleep 1.5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil (backup) holds the VIP at start"
  capture_start "$LAB_DIR/arp.txt" arp
  local t0; t0=$(date +%s%N)
  lab_kill "$ka"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "Vigil did not take over after SIGKILL"
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "    takeover ${ms} ms (RFC bound 3609 ms)"
  capture_stop
  # keepalived is dead: every gratuitous ARP for the VIP after the kill is Vigil's (garp_master_repeat 5 by default).
  local garps; garps=$(grep -c "who-has 10.9.0.100 (ff:ff:ff:ff:ff:ff) tell 10.9.0.100" "$LAB_DIR/arp.txt")
  echo "    gratuitous ARPs from Vigil: $garps"
  [ "$garps" -ge 5 ] || fail "expected at least 5 gratuitous ARPs for the VIP on the wire, saw $garps"
  [ "$ms" -le 4300 ] || fail "takeover took ${ms} ms (bound 3609 ms from the last advert, plus polling)"
  lab_wait_log "$LAB_DIR/vb.log" "BACKUP -> MASTER (master down timer expired, last advert" 2 || fail "transition log line missing"
}

# Vigil MASTER (A, 150) + keepalived BACKUP (B, 100), VRRPv2 PASS; SIGTERM Vigil → priority 0 → takeover after skew.
case_v2_vigil_master_sigterm() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP at start"
  sleep 1.5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "keepalived (backup) holds the VIP"
  local t0; t0=$(date +%s%N)
  lab_term va "$va" || fail "Vigil did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "keepalived did not take over after Vigil's SIGTERM"
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "    takeover ${ms} ms (skew 609 ms)"
  [ "$ms" -le 1500 ] || fail "graceful takeover took ${ms} ms (expected about skew time)"
  lab_has_vip "$NS_A" 10.9.0.100 && fail "Vigil left the VIP behind"
  lab_wait_log "$LAB_DIR/va.log" "MASTER -> STOP (shutdown)" 2 || fail "no shutdown transition logged"
  [ -e "$LAB_DIR/va.pid" ] && fail "pid file not removed"
  true
}

# Vigil MASTER + keepalived BACKUP, VRRPv3 0.1 s; SIGKILL Vigil, then Vigil returns and preempts.
case_v3_vigil_master_sigkill_and_preempt() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP at start"
  sleep 1
  lab_has_vip "$NS_B" 10.9.0.100 && fail "keepalived (backup) holds the VIP"
  local t0; t0=$(date +%s%N)
  lab_kill "$va"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "keepalived did not take over after SIGKILL of Vigil"
  echo "    keepalived takeover $(( ($(date +%s%N) - t0) / 1000000 )) ms (RFC bound 361 ms)"
  ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null  # a crashed node's leftover
  lab_start_vigil "$NS_A" va2 "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "returning Vigil (higher priority) did not preempt"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "keepalived did not yield to the higher priority"
}

# keepalived MASTER + Vigil BACKUP over IPv6 (VRRPv3, ff02::12); SIGKILL keepalived.
case_v3_ipv6_keepalived_master_sigkill() {
  conf "$LAB_DIR/a.conf" VI_6 150 3 0.1 fd00:9::100/64
  conf "$LAB_DIR/b.conf" VI_6 100 3 0.1 fd00:9::100/64
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" fd00:9::100 5 || fail "keepalived did not take the IPv6 VIP"
  sleep 1
  lab_has_vip "$NS_B" fd00:9::100 && fail "Vigil (backup) holds the IPv6 VIP"
  capture_start "$LAB_DIR/na.txt" icmp6
  local t0; t0=$(date +%s%N)
  lab_kill "$ka"
  lab_wait_vip "$NS_B" fd00:9::100 3 || fail "Vigil did not take over the IPv6 VIP"
  echo "    takeover $(( ($(date +%s%N) - t0) / 1000000 )) ms (RFC bound 361 ms)"
  capture_stop
  grep -q "neighbor advertisement, tgt is fd00:9::100" "$LAB_DIR/na.txt" \
    || fail "no unsolicited neighbour advertisement for the VIP on the wire"
}

# Unicast (unicast_src_ip / unicast_peer), VRRPv2: Vigil MASTER, keepalived BACKUP; SIGTERM then return.
case_v2_unicast() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.1" "unicast_peer {" "    10.9.0.2" "}"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.2" "unicast_peer {" "    10.9.0.1" "}"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP (unicast)"
  sleep 1.5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "keepalived holds the VIP too (unicast adverts not understood)"
  lab_term va "$va" || fail "Vigil did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "keepalived did not take over (unicast)"
}

# Two Vigil nodes, nopreempt: the running master keeps the VIP when a higher priority returns.
case_two_vigil_nopreempt() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24 nopreempt
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24 nopreempt
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_B" 10.9.0.100 5 || fail "lone Vigil B did not take the VIP"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  sleep 2
  lab_has_vip "$NS_B" 10.9.0.100 || fail "nopreempt: B lost the VIP to the returning higher priority"
  lab_has_vip "$NS_A" 10.9.0.100 && fail "nopreempt: A took the VIP"
  true
}

# Maintenance switch: the classic shell check with a weight larger than the gap moves the VIP both ways.
case_maintenance_down_file() {
  local down="$LAB_DIR/down"
  cat >"$LAB_DIR/a.conf" <<CONF
vrrp_script chk_down {
    script "[[ -f $down ]] && exit 1 || exit 0"
    interval 0.2
    weight -60
}
CONF
  conf "$LAB_DIR/a.part" VI_1 150 3 0.1 10.9.0.100/24 "track_script {" "    chk_down" "}"
  cat "$LAB_DIR/a.part" >>"$LAB_DIR/a.conf"
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  sleep 1
  touch "$down"
  lab_wait_vip "$NS_B" 10.9.0.100 5 || fail "down file did not move the VIP to keepalived"
  lab_wait_vip "$NS_A" 10.9.0.100 3 absent || fail "Vigil kept the VIP in maintenance"
  rm -f "$down"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "removing the down file did not bring the VIP back"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "keepalived kept the VIP after maintenance"
}

# Partition healed: both become master while the link is down; afterwards the lower priority yields.
case_partition_healed() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  sleep 1
  lab_partition
  lab_wait_vip "$NS_B" 10.9.0.100 5 || fail "B did not become master during the partition"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "A lost the VIP during the partition"
  sleep 0.5
  lab_heal
  lab_wait_vip "$NS_B" 10.9.0.100 5 absent || fail "after healing, keepalived (lower) did not yield"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "after healing, Vigil (higher) is not master"
}

# Injected packets: wrong password, bad checksum, TTL 64, all claiming priority 254 — ignored, counted, no transition.
case_injected_packets_ignored() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP"
  ip netns exec "$NS_B" python3 "$HERE/inject.py" || fail "injector failed"
  sleep 0.5
  lab_has_vip "$NS_A" 10.9.0.100 || fail "an injected packet made Vigil give up the VIP"
  grep -q "MASTER -> BACKUP" "$LAB_DIR/va.log" && fail "transition on an invalid packet"
  lab_wait_log "$LAB_DIR/va.log" "TTL 64" 3
  local n; n=$(grep -c "discarded advert from 10.9.0.2" "$LAB_DIR/va.log")
  [ "$n" -ge 4 ] || fail "expected at least 4 discarded packets logged, saw $n"
}

# SIGHUP reload: an added instance starts, the unchanged one does not flap.
case_reload_keeps_unchanged() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  conf "$LAB_DIR/b.part" VI_2 150 3 0.1 10.9.0.101/24
  sed 's/virtual_router_id 51/virtual_router_id 52/' "$LAB_DIR/b.part" >>"$LAB_DIR/a.conf"
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  lab_wait_vip "$NS_A" 10.9.0.101 5 || fail "the added instance did not start on SIGHUP"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "the unchanged instance lost its VIP"
  local n; n=$(grep -c "VI_1: .* -> " "$LAB_DIR/va.log")
  [ "$n" = 2 ] || fail "VI_1 flapped on reload ($n transitions, expected INIT->BACKUP->MASTER only)"
}

# track_file: value × weight; writing 60 with weight -1 drops 150 to 90 < 100 and moves the VIP.
case_track_file() {
  local f="$LAB_DIR/prio"
  echo 0 >"$f"
  printf 'vrrp_track_file tf {\n    file %s\n    weight -1\n}\n' "$f" >"$LAB_DIR/a.conf"
  conf "$LAB_DIR/a.part" VI_1 150 3 0.1 10.9.0.100/24 "track_file {" "    tf" "}"
  cat "$LAB_DIR/a.part" >>"$LAB_DIR/a.conf"
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  sleep 1
  echo 60 >"$f"
  lab_wait_vip "$NS_B" 10.9.0.100 5 || fail "track file value 60 × -1 did not move the VIP"
  echo 0 >"$f"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "track file back to 0 did not bring the VIP back"
}

# Notify scripts: notify_master runs, and `notify` gets TYPE NAME STATE PRIORITY.
case_notify_scripts() {
  local out="$LAB_DIR/notify.out"
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24 \
    "notify_master \"/bin/sh -c 'echo master >> $out'\"" "notify \"$PWD/$HERE/notify-record.sh $out\""
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  lab_wait_log "$out" "^master$" 3 || fail "notify_master did not run"
  lab_wait_log "$out" "^INSTANCE VI_1 MASTER 150$" 3 || fail "notify did not get INSTANCE VI_1 MASTER 150"
  lab_term va "$va"
  lab_wait_log "$out" "^INSTANCE VI_1 STOP" 3 || fail "notify did not run on stop"
}

ALL_CASES=(case_v2_keepalived_master_sigkill case_v2_vigil_master_sigterm case_v3_vigil_master_sigkill_and_preempt
           case_v3_ipv6_keepalived_master_sigkill case_v2_unicast case_two_vigil_nopreempt case_maintenance_down_file
           case_partition_healed case_injected_packets_ignored case_reload_keeps_unchanged case_track_file
           case_notify_scripts)
# More cases, one file per behaviour group: each defines case_* functions and appends them to ALL_CASES, or to
# VM_CASES when they need a kernel driver the host tier's kernel may lack (`host-tests.sh vm-cases`, the VM tier).
VM_CASES=()
for f in "$HERE"/cases/*.sh; do
  [ -e "$f" ] || continue
  # shellcheck source=/dev/null
  . "$f"
done

# Cases whose figures or files a neighbour could disturb run alone: tight timing bounds (link-down reaction, timers,
# start-up timing, a hung SMTP server's failover, pings through a handover, GARP counts in windows) and keepalived's
# SIGUSR1/SIGUSR2 dumps (one file in /tmp for every keepalived). The others run HA_LANES at a time (default 2): each
# builds its own namespaces, and their bounds are seconds wide.
ALONE_FILES=(addr fault timers handover alerts start lower-priority garp late)
alone() {
  local f
  for f in "${ALONE_FILES[@]}"; do grep -q "^$1()" "$HERE/cases/$f.sh" 2>/dev/null && return 0; done
  return 1
}

# run_lanes CASE... — runs the cases HA_LANES at a time, each one's output kept and printed whole when all are done.
run_lanes() {
  local lanes=${HA_LANES:-2} dir c running=0
  dir=$(mktemp -d /tmp/vigil-ha-lanes.XXXXXX)
  for c in "$@"; do
    ( run_case "$c" ) > "$dir/$c.out" 2>&1 &
    running=$((running + 1))
    if [ "$running" -ge "$lanes" ]; then wait -n; running=$((running - 1)); fi
  done
  wait
  for c in "$@"; do
    cat "$dir/$c.out"
    if grep -q '^   ok$' "$dir/$c.out"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$c"); fi
  done
  rm -rf "$dir"
}

need
PASSED=0; FAILED=0; FAILED_NAMES=()
if [ "${1:-}" = vm-cases ]; then CASES=("${VM_CASES[@]}"); elif [ $# -gt 0 ]; then CASES=("$@"); else CASES=("${ALL_CASES[@]}"); fi
SIDE_BY_SIDE=()
for c in "${CASES[@]}"; do if alone "$c"; then run_case "$c"; else SIDE_BY_SIDE+=("$c"); fi; done
[ ${#SIDE_BY_SIDE[@]} -gt 0 ] && run_lanes "${SIDE_BY_SIDE[@]}"
echo "ha host: $PASSED passed, $FAILED failed ${FAILED_NAMES[*]:-}"
[ "$FAILED" = 0 ]
