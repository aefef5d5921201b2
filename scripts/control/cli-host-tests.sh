#!/usr/bin/env bash
# Host integration suite of keepalived's command line and signals (issue #12), in a network namespace this script
# creates:
#   1. `vigil -f FILE -n -l -D --no-syslog -P` (no subcommand, keepalived's options) runs a one-instance VRRP config
#      and becomes MASTER with its VIP;
#   2. SIGUSR1, SIGUSR2, SIGRTMIN+2 write /tmp/keepalived.data, /tmp/keepalived.stats, /tmp/keepalived.json in
#      keepalived's layouts; SIGRTMAX-1 writes the stats and clears them;
#   3. SIGPIPE, SIGALRM, SIGRTMIN+5 are ignored (the last two logged by name): the daemon keeps running, VIP kept;
#   4. SIGTERM removes the VIP; the binary run through a link named `keepalived` with `-f FILE -n -l -D` runs, and
#      with `-s NAME` from the root namespace it runs inside NAME;
#      state_dump_file moves the data dump, TMPDIR the others (keepalived 2.3.3's rules);
#   4b. startup_script runs before VRRP starts, shutdown_script after the VIP is released, a slow startup script is
#      killed at startup_script_timeout;
#   5. `-t` exits 0 on a good file and 4 on a broken one; --signum and -v print.
# A missing prerequisite is a failure with a message, never a skip. Everything created is removed on exit.
set -u
cd "$(dirname "$0")/../.."
VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
NS=vigil-cli-$$
WORK=$(mktemp -d /tmp/vigil-cli.XXXXXX)
DUMPS="/tmp/keepalived.data /tmp/keepalived.data.json /tmp/keepalived.stats /tmp/keepalived.stats.json /tmp/keepalived.json"
pids=()
. scripts/lib/suite.sh
finish() {
  local rc=$?
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
  suite_failed "$rc" && suite_tail_logs 40 "$WORK"/*.log
  ip netns del "$NS" 2>/dev/null
  rm -rf "$WORK" $DUMPS
  suite_summary "cli host tests" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the cli host suite (network namespaces)"
suite_need_tools ip python3 setsid
suite_need_vigil

ip netns add "$NS" || { echo "error: cannot create namespace $NS" >&2; exit 1; }
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns ip link add c0 type veth peer name c1
in_ns ip addr add 10.78.0.1/24 dev c0
in_ns ip link set c0 up
in_ns ip link set c1 up

cat > "$WORK/keepalived.conf" <<CONF
vrrp_instance VI_CLI {
  state BACKUP
  interface c0
  virtual_router_id 78
  priority 120
  advert_int 1
  virtual_ipaddress {
    10.78.0.100/24
  }
}
CONF
sed 's/priority 120/priority 300/' "$WORK/keepalived.conf" > "$WORK/bad.conf"

wait_for() {  # seconds description command…
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "     (timed out after ${secs}s waiting for $what)"
  return 1
}
has_vip() { in_ns ip -4 addr show dev c0 | grep -q 10.78.0.100/24; }
no_vip() { ! has_vip; }
running() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
gone() { ! running "$1"; }
log_has() { grep -q -- "$2" "$WORK/$1.log"; }

# --- 1. keepalived's options on vigil with no subcommand (-D given twice: keepalived's extra detail)
setsid ip netns exec "$NS" "$VIGIL_BIN" -f "$WORK/keepalived.conf" -n -l -DD -d --no-syslog -P -p "$WORK/vigil.pid" \
  --control 127.0.0.1:9779 > "$WORK/vigil.log" 2>&1 &
pid=$!
pids+=("$pid")
check "vigil -f FILE -n -l -D -P runs and becomes MASTER with its VIP" wait_for 15 "VIP" has_vip
check "-d logs the configuration data at start" log_has vigil 'VRRP Instance = VI_CLI'
check "the pid file holds the daemon's pid" bash -c "[ \"\$(cat $WORK/vigil.pid 2>/dev/null)\" = $pid ]"

# --- 2. dumps at keepalived's paths, in keepalived's layouts
rm -f $DUMPS
kill -USR1 "$pid"
check "SIGUSR1 writes /tmp/keepalived.data" wait_for 5 "data" grep -q '^ VRRP Instance = VI_CLI$' /tmp/keepalived.data
check "keepalived.data: keepalived's sections and fields" bash -c "grep -qx -- '------< VRRP Topology >------' /tmp/keepalived.data \
  && grep -qx '   State = MASTER' /tmp/keepalived.data && grep -qx '   Virtual Router ID = 78' /tmp/keepalived.data \
  && grep -qx '     10.78.0.100/24 dev c0 scope global set' /tmp/keepalived.data"
kill -USR2 "$pid"
check "SIGUSR2 writes /tmp/keepalived.stats" wait_for 5 "stats" grep -qx 'VRRP Instance: VI_CLI' /tmp/keepalived.stats
check "keepalived.stats: became master 1, adverts sent counted" bash -c "grep -qx '  Became master: 1' /tmp/keepalived.stats \
  && grep -A3 '^  Advertisements:' /tmp/keepalived.stats | grep -Eq '^    Sent: [1-9]'"
kill -s "$(( $(kill -l RTMIN) + 2 ))" "$pid"
json_ok() {
  python3 - <<'PY'
import json
a = json.load(open("/tmp/keepalived.json"))
d, s = a[0]["data"], a[0]["stats"]
assert d["iname"] == "VI_CLI" and d["state"] == 2 and d["vrid"] == 78 and d["ifp_ifname"] == "c0", d
assert d["vips"] == ["10.78.0.100/24 dev c0 scope global set"], d["vips"]
assert s["become_master"] == 1 and s["advert_sent"] >= 1, s
PY
}
check "SIGRTMIN+2 writes /tmp/keepalived.json in keepalived's layout (array of {data, stats})" wait_for 5 "json" json_ok
rm -f /tmp/keepalived.stats
kill -s "$(( $(kill -l RTMAX) - 1 ))" "$pid"
check "SIGRTMAX-1 writes the stats" wait_for 5 "stats clear" grep -qx '  Became master: 1' /tmp/keepalived.stats
check "SIGRTMAX-1 logs that the statistics were cleared" wait_for 5 "cleared" log_has vigil 'statistics cleared'
rm -f /tmp/keepalived.stats
kill -USR2 "$pid"
check "after SIGRTMAX-1 the stats start from zero" wait_for 5 "cleared stats" grep -qx '  Became master: 0' /tmp/keepalived.stats

# --- 3. signals that would otherwise kill the daemon without its cleanup
for sig in PIPE ALRM "$(( $(kill -l RTMIN) + 5 ))"; do
  kill -s "$sig" "$pid"
  sleep 0.5
done
check "SIGPIPE, SIGALRM, SIGRTMIN+5: still running" running "$pid"
check "... and still holding the VIP" has_vip
check "SIGALRM is logged as ignored, named" wait_for 5 "ALRM log" log_has vigil 'received SIGALRM (signal 14), ignored'
check "SIGRTMIN+5 is logged as ignored, named" wait_for 5 "RTMIN+5 log" log_has vigil 'received SIGRTMIN+5 (signal 39), ignored'

# --- 4. SIGTERM cleans up; the keepalived link
kill -TERM "$pid"
check "SIGTERM: the daemon exits" wait_for 10 "exit" gone "$pid"
check "SIGTERM: the VIP is removed" no_vip
ln -s "$VIGIL_BIN" "$WORK/keepalived"
setsid ip netns exec "$NS" "$WORK/keepalived" -f "$WORK/keepalived.conf" -n -l -D -G -P -p "$WORK/k.pid" \
  --control 127.0.0.1:9779 > "$WORK/keepalived.log" 2>&1 &
kpid=$!
pids+=("$kpid")
# --control is no keepalived option: the link refuses it, as keepalived would.
check "through the keepalived link, a Vigil-only option is refused (exit 1)" \
  bash -c "for i in \$(seq 50); do kill -0 $kpid 2>/dev/null || break; sleep 0.1; done; ! kill -0 $kpid 2>/dev/null && grep -q 'Unknown option --control' $WORK/keepalived.log"
setsid ip netns exec "$NS" "$WORK/keepalived" -f "$WORK/keepalived.conf" -n -l -D -G -P -p "$WORK/k.pid" \
  > "$WORK/keepalived.log" 2>&1 &
kpid=$!
pids+=("$kpid")
check "keepalived -f FILE -n -l -D (the link) runs and becomes MASTER" wait_for 15 "VIP via link" has_vip
check "the link's process logs as keepalived would be run (-l)" log_has keepalived 'VI_CLI'
kill -TERM "$kpid"
check "the link's daemon stops on SIGTERM and removes the VIP" bash -c "for i in \$(seq 50); do kill -0 $kpid 2>/dev/null || break; sleep 0.2; done; ! ip netns exec $NS ip -4 addr show dev c0 | grep -q 10.78.0.100"

# -s NAME from the root namespace: re-executed under `ip netns exec NAME`, the VIP appears inside NAME.
setsid "$WORK/keepalived" -s "$NS" -f "$WORK/keepalived.conf" -n -l -G -P -p "$WORK/s.pid" > "$WORK/namespace.log" 2>&1 &
spid=$!
pids+=("$spid")
check "keepalived -s NAME (from the root namespace) runs inside NAME and becomes MASTER there" wait_for 15 "VIP via -s" has_vip
kill -TERM "$spid"
check "the -s daemon stops on SIGTERM and removes the VIP" bash -c "for i in \$(seq 50); do kill -0 $spid 2>/dev/null || break; sleep 0.2; done; ! ip netns exec $NS ip -4 addr show dev c0 | grep -q 10.78.0.100"

# state_dump_file (keepalived 2.3.3) moves the data dump; TMPDIR moves the others, as keepalived's tmp_dir.
mkdir -p "$WORK/tmp"
{ printf 'global_defs {\n  state_dump_file %s/state/vigil.dump\n}\n' "$WORK"; cat "$WORK/keepalived.conf"; } > "$WORK/dumpfile.conf"
mkdir -p "$WORK/state"
setsid ip netns exec "$NS" env TMPDIR="$WORK/tmp" "$VIGIL_BIN" -f "$WORK/dumpfile.conf" -n -l -P \
  -p "$WORK/d.pid" --no-syslog > "$WORK/dumpfile.log" 2>&1 &
dpid=$!
pids+=("$dpid")
check "with state_dump_file, the daemon runs" wait_for 15 "VIP with state_dump_file" has_vip
kill -USR1 "$dpid"; kill -USR2 "$dpid"
check "state_dump_file: SIGUSR1 writes the data dump there" wait_for 5 "state dump" grep -q '^ VRRP Instance = VI_CLI$' "$WORK/state/vigil.dump"
check "TMPDIR: SIGUSR2 writes keepalived.stats in TMPDIR" wait_for 5 "TMPDIR stats" grep -qx 'VRRP Instance: VI_CLI' "$WORK/tmp/keepalived.stats"
kill -TERM "$dpid"
check "the state_dump_file daemon stops and removes the VIP" bash -c "for i in \$(seq 50); do kill -0 $dpid 2>/dev/null || break; sleep 0.2; done; ! ip netns exec $NS ip -4 addr show dev c0 | grep -q 10.78.0.100"

# --- 4b. startup_script / shutdown_script: run before VRRP starts (no VIP yet) and after it stopped (VIP gone);
# a startup script that outlives startup_script_timeout is killed and the daemon starts anyway.
for w in startup shutdown; do
  printf '#!/bin/sh\nif ip -4 addr show dev c0 | grep -q 10.78.0.100; then echo vip; else echo novip; fi > %s/%s.out\n' \
    "$WORK" "$w" > "$WORK/$w.sh"
  chmod 755 "$WORK/$w.sh"
done
{ printf 'global_defs {\n  startup_script %s/startup.sh\n  startup_script_timeout 5\n  shutdown_script %s/shutdown.sh\n}\n' \
    "$WORK" "$WORK"; cat "$WORK/keepalived.conf"; } > "$WORK/scripts.conf"
setsid ip netns exec "$NS" "$VIGIL_BIN" -f "$WORK/scripts.conf" -n -l -P -p "$WORK/sc.pid" --no-syslog \
  > "$WORK/scripts.log" 2>&1 &
scpid=$!
pids+=("$scpid")
check "with startup_script and shutdown_script, the daemon runs and becomes MASTER" wait_for 15 "VIP with scripts" has_vip
check "startup_script ran before VRRP started (no VIP yet)" grep -qx novip "$WORK/startup.out"
check "startup_script's success is logged" log_has scripts "startup script $WORK/startup.sh: succeeded"
check "... before the VRRP daemon starts" bash -c "awk '/startup script .*: succeeded/ && !s {s=NR} /Starting Vigil VRRP daemon/ && !v {v=NR} END {exit !(s && v && s < v)}' $WORK/scripts.log"
kill -TERM "$scpid"
check "shutdown_script ran after the VIP was released" wait_for 15 "shutdown script" grep -qx novip "$WORK/shutdown.out"
check "shutdown_script's success is logged and the daemon exits" bash -c "for i in \$(seq 50); do kill -0 $scpid 2>/dev/null || break; sleep 0.2; done; ! kill -0 $scpid 2>/dev/null && grep -q 'shutdown script $WORK/shutdown.sh: succeeded' $WORK/scripts.log"
{ printf 'global_defs {\n  startup_script "/bin/sleep 60"\n  startup_script_timeout 1\n}\n'; cat "$WORK/keepalived.conf"; } \
  > "$WORK/slow.conf"
setsid ip netns exec "$NS" "$VIGIL_BIN" -f "$WORK/slow.conf" -n -l -P -p "$WORK/sl.pid" --no-syslog \
  > "$WORK/slow.log" 2>&1 &
slpid=$!
pids+=("$slpid")
check "a startup_script past startup_script_timeout is killed and logged; the daemon starts anyway" \
  bash -c "for i in \$(seq 75); do ip netns exec $NS ip -4 addr show dev c0 | grep -q 10.78.0.100 && break; sleep 0.2; done; grep -q 'startup script /bin/sleep 60 failed: still running after 1 s (startup_script_timeout); its process group was killed' $WORK/slow.log && ip netns exec $NS ip -4 addr show dev c0 | grep -q 10.78.0.100"
check "... and no sleep of it is left" bash -c "! ps -eo args | grep -qx '/bin/sleep 60'"
kill -TERM "$slpid"
check "the daemon with the slow startup_script stops and removes the VIP" bash -c "for i in \$(seq 50); do kill -0 $slpid 2>/dev/null || break; sleep 0.2; done; ! ip netns exec $NS ip -4 addr show dev c0 | grep -q 10.78.0.100"

# --- 5. -t, --signum, -v
check "vigil -t -f good: exit 0" in_ns "$VIGIL_BIN" -t -f "$WORK/keepalived.conf"
check "keepalived -t -f bad (the link): exit 4" bash -c "ip netns exec $NS $WORK/keepalived -t -f $WORK/bad.conf 2> $WORK/t.err; [ \$? -eq 4 ]"
check "-t=FILE writes the report to FILE" bash -c "ip netns exec $NS $VIGIL_BIN -t=$WORK/t.log -f $WORK/bad.conf; [ \$? -eq 4 ] && grep -q 'bad.conf:' $WORK/t.log"
check "--signum=JSON prints keepalived's number" bash -c "[ \"\$($VIGIL_BIN --signum=JSON)\" = \"\$(( \$(kill -l RTMIN) + 2 ))\" ]"
check "--signum=STATS_CLEAR prints keepalived's number" bash -c "[ \"\$($WORK/keepalived --signum=STATS_CLEAR)\" = \"\$(( \$(kill -l RTMAX) - 1 ))\" ]"
if command -v keepalived >/dev/null; then
  for f in STOP RELOAD DATA STATS STATS_CLEAR JSON; do
    check "--signum=$f agrees with keepalived's" bash -c "[ \"\$($VIGIL_BIN --signum=$f)\" = \"\$(keepalived --signum=$f)\" ]"
  done
fi
printf 'include /nonexistent-vigil/*.conf\n' | cat - "$WORK/keepalived.conf" > "$WORK/include.conf"
check "-e: a missing include refuses to start (exit 1)" bash -c "ip netns exec $NS $VIGIL_BIN -e -n -P -f $WORK/include.conf -p $WORK/e.pid 2> $WORK/e.err; [ \$? -eq 1 ] && grep -q 'all-config' $WORK/e.err"
check "-e -t: a missing include exits 4" bash -c "ip netns exec $NS $VIGIL_BIN -e -t -f $WORK/include.conf 2>/dev/null; [ \$? -eq 4 ]"
check "-v prints the version" bash -c "$VIGIL_BIN -v | grep -q '^Vigil v'"
check "keepalived -v (the link) prints keepalived's version line on stderr" \
  bash -c "$WORK/keepalived -v 2>&1 >/dev/null | head -1 | grep -q '^Keepalived v2\.2\.7 '"
check "an accepted-only option warns on stderr (-x)" bash -c "$VIGIL_BIN -x -t -f $WORK/keepalived.conf 2>&1 | grep -q 'warning: -x/--snmp: ignored'"
check "vigil check --keywords --markdown prints docs/keywords.md" bash -c "diff <($VIGIL_BIN check --keywords --markdown) docs/keywords.md >/dev/null"
check "vigil check --keywords lists each keyword with its status" bash -c "$VIGIL_BIN check --keywords > $WORK/kw.txt && grep -q '^    vrrp_iptables \[ARG\]...   \[ignored\]\$' $WORK/kw.txt && grep -q '^    router_id NAME\$' $WORK/kw.txt"
check "vigil run keeps working (-t)" in_ns "$VIGIL_BIN" run -t -f "$WORK/keepalived.conf"
