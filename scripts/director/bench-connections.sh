#!/usr/bin/env bash
# Connections across failover, failback and a planned handover (issue #15), `make bench-connections`: inside one
# qemu lab boot, on the topology of scripts/demo/topology.sh (client, two directors with `lvs_sync_daemon`, three nginx).
#
# One round = one implementation (a Vigil pair or a keepalived pair, the same keepalived.conf), one forwarding method
# (LVS-NAT, or LVS-DR: the VIP on the real servers' lo, replies routed through the MASTER's gateway VIP) and one count
# N, on a fresh topology (its own namespaces, so no IPVS state is shared between rounds). In the client's namespace:
#   - N long-lived HTTP/1.1 keep-alive connections through the VIP (scripts/director/conns.py), each sending a request
#     every INTERVAL seconds once the previous answer arrived;
#   - one more connection sending every 10 ms: its longest wait for an answer in a phase is the gap a user saw
#     ("reset" when the phase reset it; a new one is opened for the next phase);
#   - a new connection every 100 ms (scripts/director/client.py, 1 s timeout): refused and reset ones are counted
#     (timeouts apart: during an unplanned failover nobody holds the VIP for a while);
#   - a ping to the VIP every 10 ms during each phase: lost echoes between the first and the last answered one.
# Phases (cells), in this order on the same connections:
#   failover  director 1 (MASTER) dies: links down and its daemons SIGKILLed at once; director 2 takes over;
#   failback  N/10 more connections are opened through director 2, then director 1 comes back (its host rebooted:
#             a new namespace, so no VIP, no IPVS table, no connection entry) with the higher priority and takes the VIP back — Vigil holds its preemption
#             until its synced table has settled (vigil_failback_hold, on by default), keepalived preempts at once;
#   handover  a planned handover from director 1: `vigil handover` for Vigil, SIGTERM for keepalived (its way to hand
#             over: priority 0);
#   stop      Vigil only: `vigil handover --cancel` gives director 1 the VIP back (through the failback hold), then
#             director 1 is stopped with SIGTERM, `vigil_handover_on_stop` in its configuration (make-before-break at
#             stop). keepalived's planned stop is its handover above.
# A cell's survival = connections alive at its end ÷ alive at its start (plus those opened during the outage, for the
# failback; N new ones are opened before the handover, so that it has connections to keep where the failback lost
# them). Each phase lasts until the new MASTER holds the VIP, then INTERVAL + 4 s, so that every connection has
# sent a request over the new path.
#
# Usage: scripts/director/bench-connections.sh [--check PERCENT] [MODE...]      (MODE: nat dr; default both)
# Environment: VIGIL_BIN (the release build), BENCH_CONN_COUNTS ("N:INTERVAL ...", default "200:1 2000:10"),
#              BENCH_CONN_IMPLS (default "vigil keepalived"), BENCH_CONN_KEEP (a directory: logs of every round).
# --check PERCENT: exit 1 unless every Vigil cell's survival is at least PERCENT (the VM tier runs it with 99).
set -u
cd "$(dirname "$0")/../.."
here=$(pwd)

if [ "${1:-}" = round ]; then   # one round, in its own process (its own topology): round MODE IMPL N INTERVAL OUT
  shift
  MODE=$1 IMPL=$2 N=$3 IV=$4 OUT=$5
  TOPO_NGINX_CONNECTIONS=$((N + N / 10 + 64))
  . scripts/demo/topology.sh
  trap 'topo_cleanup' EXIT
  trap 'exit 130' INT TERM
  ulimit -n 65536
  say() { echo "  [$MODE $IMPL N=$N] $*"; }
  fail() { say "error: $*" >&2; tail -n 20 "$TOPO_DIR"/director[12].log "$TOPO_DIR"/keepalived[12].log 2>/dev/null >&2; exit 1; }

  # dr_director N — the replies (source: the VIP) come back through the MASTER, which holds the VIP itself: accept them.
  dr_director() {
    ip netns exec "$(topo_ns_director "$1")" sysctl -qw net.ipv4.conf.all.accept_local=1 \
      net.ipv4.conf.veth1.accept_local=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.veth1.rp_filter=0
  }
  topo_up 2 3 || fail "cannot build the topology"
  for k in 1 2 3; do topo_nginx_start "$k" || fail "nginx r$k did not start"; done
  if [ "$MODE" = dr ]; then
    for k in 1 2 3; do
      ns=$(topo_ns_real "$k")
      ip -n "$ns" addr add "$TOPO_VIP/32" dev lo || fail "VIP on r$k's lo"
      ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.conf.veth0.arp_ignore=1 net.ipv4.conf.veth0.arp_announce=2 || fail "arp sysctls on r$k"
    done
    for d in 1 2; do dr_director "$d" || fail "accept_local on director $d"; done
  fi
  # reboot N — director N's host reboots: a new namespace with the same addresses (the IPVS table and its
  # connection entries are gone, as after a real reboot; `ipvsadm -C` would leave the entries, and a dest put back
  # in the table would revive them).
  reboot() {
    local ns
    ns=$(topo_ns_director "$1")
    ip netns del "$ns" && ip netns add "$ns" && ip -n "$ns" link set lo up &&
      ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
    topo_plug "$ns" veth0 br0 "10.10.1.1$1/24" && topo_plug "$ns" veth1 br1 "10.10.2.1$1/24" || return 1
    [ "$MODE" = dr ] && dr_director "$1"
    return 0
  }
  conf() { # N STATE PRIORITY
    local f
    f=$(topo_config "$1" "$2" "$3" 3 1) || return 1
    [ "$MODE" = dr ] && sed -i -e 's/lb_kind NAT/lb_kind DR/' -e 's/^\(    real_server 10\.10\.2\.2[0-9]\) 8080 {/\1 80 {/' "$f"
    [ "$IMPL" = vigil ] && sed -i 's/^global_defs {$/global_defs {\n    vigil_handover_on_stop/' "$f"
    echo "$f"
  }
  three() { [ "$(topo_ipvs "$1" | awk '$1 == "->" && $2 ~ /^10\.10\.2\.2/' | wc -l)" -eq 3 ]; }
  start() { # N CONF
    if [ "$IMPL" = vigil ]; then
      TOPO_VIGIL_ARGS="--control unix:$TOPO_DIR/d$1.sock" topo_director_start "$1" "$2"
    else
      topo_keepalived_start "$1" "$2"
    fi
  }
  is_backup() {
    if [ "$IMPL" = vigil ]; then grep -q "VI_1: [A-Z]* -> BACKUP" "$TOPO_DIR/director$1.log"
    else grep -q "(VI_1) Entering BACKUP STATE" "$TOPO_DIR/keepalived$1.log"; fi
  }
  c1=$(conf 1 MASTER 150) && c2=$(conf 2 BACKUP 100) || fail "cannot write the configs"
  start 1 "$c1"
  topo_wait 90 "director 1 MASTER" topo_has_vip 1 || fail "director 1 did not take the VIP"
  topo_wait 30 "director 1's table" three 1 || fail "director 1's table"
  start 2 "$c2"
  topo_wait 90 "director 2 BACKUP" is_backup 2 || fail "director 2 did not start as BACKUP"
  topo_wait 30 "director 2's backup sync daemon" topo_sync_daemon 2 backup || fail "no backup sync daemon on director 2"

  ctl="$TOPO_DIR/conns" fast="$TOPO_DIR/fast" && mkdir -p "$ctl" "$fast"
  ip netns exec "$TOPO_NS_C" "$TOPO_PYTHON" -S -u scripts/director/conns.py "$TOPO_VIP" 80 "$N" "$ctl" \
    --interval "$IV" --timeout 30 --open-rate 200 > "$ctl.out" 2>"$ctl.err" &
  conns_pid=$!
  ip netns exec "$TOPO_NS_C" "$TOPO_PYTHON" -S -u scripts/director/conns.py "$TOPO_VIP" 80 1 "$fast" \
    --interval 0.01 --timeout 30 > "$fast.out" 2>"$fast.err" &
  fast_pid=$!
  probe="$TOPO_DIR/probe.txt"
  topo_client_start "$probe" 0.1 1
  topo_wait 120 "$N connections" grep -q "^ready $N\$" "$ctl.out" || fail "the $N connections did not all open: $(head -n1 "$ctl.out")"
  topo_wait 30 "the 10 ms sender" grep -q "^ready 1\$" "$fast.out" || fail "the 10 ms sender did not start"
  say "$N connections open (a request every $IV s each), the 10 ms sender and the prober running"
  sleep 3   # director 2 has each connection (synced at its 3rd packet)

  # report DIR LABEL — the client's JSON line labelled LABEL, as of now.
  report() {
    touch "$1/report-$2"
    topo_wait 20 "report $2" grep -q "\"label\": \"$2\"" "$1.out" || return 1
    grep "\"label\": \"$2\"" "$1.out" | tail -n1
  }
  field() { "$TOPO_PYTHON" -S -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$1" "$2" 2>/dev/null || echo 0; }
  PING=
  ping_start() { ip netns exec "$TOPO_NS_C" ping -n -i 0.01 "$TOPO_VIP" > "$TOPO_DIR/ping-$1.txt" 2>&1 & PING=$!; }
  # ping_stop CELL — "LOST SENT": echoes missing between the first and the last answered one.
  ping_stop() {
    kill -INT "$PING" 2>/dev/null; wait "$PING" 2>/dev/null
    # (A duplicate answer — both directors hold the VIP for a moment — counts once.)
    awk '/icmp_seq=/ { sub(/.*icmp_seq=/, ""); s = $1 + 0; if (!n++) lo = s; if (s > hi) hi = s; if (!(s in got)) { got[s]; seen++ } }
         END { if (n) printf "%d %d\n", hi - lo + 1 - seen, hi - lo + 1; else print "-1 0" }' "$TOPO_DIR/ping-$1.txt"
  }
  # probe_counts FROM_MS — "REFUSED_OR_RESET TIMEOUTS" of the new-connection prober since FROM_MS.
  probe_counts() {
    awk -v t="$1" '$1 >= t && $2 == "fail" { if ($3 == "timeout") to++; else rr++ } END { printf "%d %d\n", rr, to }' "$probe"
  }
  # cell NAME T0 BASE TAKEOVER_MS — one result line.
  cell() {
    local r fr s gap
    r=$(report "$ctl" "$1") || fail "no report from the client ($1)"
    s=$(field "$r" survived)
    fr=$(report "$fast" "$1") || fail "no report from the 10 ms sender ($1)"
    gap=$(field "$fr" longest_wait_since_ms)
    if [ "$(field "$fr" survived)" -lt 1 ]; then   # the 10 ms sender was reset: no gap to speak of; a new one for later
      gap=-1
      echo 1 > "$fast/more.tmp" && mv "$fast/more.tmp" "$fast/more"
    fi
    local pinged probed   # (not "probe": that is the prober's file)
    pinged=$(ping_stop "$1"); probed=$(probe_counts "$2")
    echo "cell $MODE $IMPL $N $IV $1 $3 $s $gap $pinged $probed $4" >> "$OUT"
    say "$1: $s of $3 connections alive; 10 ms sender's longest wait $([ "$gap" -lt 0 ] && echo "— reset" || echo "$gap ms"); ping lost/sent ${pinged/ //};" \
      "new connections refused or reset, timed out: $probed; new MASTER after $4 ms; lost: $(field "$r" lost)"
  }

  # phase_begin NAME — the connections alive now are the phase's base (the client's report in $PR); the ping starts;
  # T0 is the moment of the fault or command that follows.
  phase_begin() {
    PR=$(report "$ctl" "before-$1") || fail "no report from the client"
    BASE=$(field "$PR" survived); report "$fast" "before-$1" >/dev/null
    ping_start "$1"; sleep 0.5
    T0=$(topo_now_ms)
  }
  # phase_end NAME TO [FROM] — director TO takes the VIP and has its table (FROM, given, lets the VIP go); after
  # INTERVAL + 4 s the phase's result line.
  phase_end() {
    topo_wait 120 "director $2 takes the VIP" topo_has_vip "$2" || fail "director $2 did not take the VIP"
    local took=$(( $(topo_now_ms) - T0 ))
    topo_wait 10 "director $2's table" three "$2" || fail "director $2's table"
    if [ -n "${3:-}" ]; then
      topo_wait 10 "director $3 lets the VIP go" eval "! topo_has_vip $3" || fail "director $3 kept the VIP"
    fi
    sleep "$(awk -v i="$IV" 'BEGIN { print i + 4 }')"
    cell "$1" "$T0" "$BASE" "$took"
  }
  # more COUNT — COUNT more connections, answered once before this returns.
  more() {
    local r opened
    r=$(report "$ctl" "more-$(topo_now_ms)") || fail "no report from the client"
    opened=$(field "$r" opened)
    echo "$1" > "$ctl/more.tmp" && mv "$ctl/more.tmp" "$ctl/more"
    sleep "$(awk -v i="$IV" 'BEGIN { print i + 3 }')"
    r=$(report "$ctl" "more-$(topo_now_ms)") || fail "no report from the client"
    [ "$(field "$r" opened)" -ge $((opened + $1)) ] || fail "the client did not open $1 more connections: $r"
  }

  # --- failover
  phase_begin failover
  topo_director_crash 1
  phase_end failover 2

  # --- failback (N/10 connections opened during the outage)
  more $((N / 10))
  reboot 1 || fail "cannot reboot director 1"
  phase_begin failback
  start 1 "$c1"
  phase_end failback 1
  [ "$IMPL" = vigil ] && grep -m1 "VI_1: failback hold released" "$TOPO_DIR/director1.log" | sed 's/^/    vigil: /'

  # --- planned handover from director 1 (N more connections first, so that the phase has connections even where
  # the failback lost them all)
  more "$N"
  phase_begin handover
  if [ "$IMPL" = vigil ]; then
    out=$(ip netns exec "$(topo_ns_director 1)" "$VIGIL_BIN" handover --control "unix:$TOPO_DIR/d1.sock" 2>&1)
    [ "$out" = "VI_1: handing over" ] || fail "vigil handover answered '$out'"
  else
    topo_director_kill 1 TERM
  fi
  phase_end handover 2 1

  # --- Vigil: back to director 1 (--cancel), then a SIGTERM with vigil_handover_on_stop
  if [ "$IMPL" = vigil ]; then
    out=$(ip netns exec "$(topo_ns_director 1)" "$VIGIL_BIN" handover --cancel --control "unix:$TOPO_DIR/d1.sock" 2>&1)
    [ "$out" = "VI_1: resumed" ] || fail "vigil handover --cancel answered '$out'"
    topo_wait 90 "director 1 takes the VIP back" topo_has_vip 1 || fail "director 1 did not take the VIP back"
    sleep "$(awk -v i="$IV" 'BEGIN { print i + 4 }')"
    phase_begin stop
    topo_director_kill 1 TERM
    phase_end stop 2 1
  fi
  touch "$ctl/stop" "$fast/stop"
  wait "$conns_pid" "$fast_pid" 2>/dev/null
  if [ -n "${BENCH_CONN_KEEP:-}" ]; then
    keep="$BENCH_CONN_KEEP/$MODE-$IMPL-$N" && mkdir -p "$keep" && cp "$TOPO_DIR"/*.log "$TOPO_DIR"/*.out "$TOPO_DIR"/ping-*.txt "$keep/" 2>/dev/null
  fi
  exit 0
fi

CHECK=
if [ "${1:-}" = --check ]; then CHECK=$2; shift 2; fi
MODES=${*:-nat dr}
COUNTS=${BENCH_CONN_COUNTS:-200:1 2000:10}
IMPLS=${BENCH_CONN_IMPLS:-vigil keepalived}
[ "$(id -u)" = 0 ] || { echo "error: bench-connections needs root" >&2; exit 1; }
test -e /proc/net/ip_vs || modprobe ip_vs 2>/dev/null || test -e /proc/net/ip_vs \
  || { echo "error: no IPVS in this kernel (run through make bench-connections)" >&2; exit 1; }
for t in keepalived nginx python3 ipvsadm ip ping setsid; do
  command -v "$t" >/dev/null || { echo "error: $t is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
: "${VIGIL_BIN:=$here/.build/debug/vigil}"
[ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing (make build-release)" >&2; exit 1; }
work=$(mktemp -d /tmp/vigil-bench-conns.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$VIGIL_BIN" "$work/vigil" && export VIGIL_BIN="$work/vigil"   # a rebuild during the bench must not matter
OUT="$work/cells.txt"; : > "$OUT"
echo "# vigil: $VIGIL_BIN ($(stat -c %s "$VIGIL_BIN") bytes); $(keepalived --version 2>&1 | head -n1); $(nproc) CPU(s)"
echo "# modes: $MODES; N:interval: $COUNTS; implementations: $IMPLS; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
for mode in $MODES; do
  for c in $COUNTS; do
    for impl in $IMPLS; do
      t0=$(date +%s)
      echo "== round: $mode, $impl pair, ${c%%:*} connections, a request every ${c#*:} s each"
      "$0" round "$mode" "$impl" "${c%%:*}" "${c#*:}" "$OUT" || { echo "error: the round failed" >&2; rc=1; }
      echo "   (round took $(( $(date +%s) - t0 )) s; load $(cut -d' ' -f1 /proc/loadavg))"
    done
  done
done
echo "== connections across failover, failback and a planned handover (survival = alive at the end of the phase ÷ alive at its start)"
python3 - "$OUT" "${CHECK:-0}" <<'PY' || rc=1
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("cell ")]
check = float(sys.argv[2])
# cell MODE IMPL N IV CELL BASE SURVIVED GAP PING_LOST PING_SENT REFUSED_RESET TIMEOUTS TAKEOVER_MS
cells = {}
for r in rows:
    cells[(r[1], r[5], int(r[3]), r[4], r[2])] = dict(base=int(r[6]), alive=int(r[7]), gap=int(r[8]), plost=int(r[9]),
        psent=int(r[10]), rr=int(r[11]), to=int(r[12]), took=int(r[13]))
def gapf(c): return "reset" if c["gap"] < 0 else "%d ms" % c["gap"]
def pct(c): return 100.0 * c["alive"] / c["base"] if c["base"] else float("nan")
print("| mode | phase | N (request every) | Vigil survival | keepalived survival | ratio | Vigil gap (10 ms sender) | keepalived gap | "
      "Vigil pings lost | keepalived pings lost | new conns refused/reset (Vigil, keepalived) | new MASTER after (Vigil, keepalived) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
bad = []
order = {"failover": 0, "failback": 1, "handover": 2, "stop": 3}
for key in sorted({k[:4] for k in cells}, key=lambda k: (k[0], k[2], order.get(k[1], 9))):
    mode, phase, n, iv = key
    v, k = cells.get(key + ("vigil",)), cells.get(key + ("keepalived",))
    f = lambda c, s: s(c) if c else "—"
    ratio = "%.3f" % (pct(v) / pct(k)) if v and k and pct(k) > 0 else ("∞" if v and k and pct(k) == 0 and pct(v) > 0 else "—")
    print(f"| {mode.upper()} | {phase} | {n} ({iv} s) | {f(v, lambda c: '%.2f %% (%d/%d)' % (pct(c), c['alive'], c['base']))} | "
          f"{f(k, lambda c: '%.2f %% (%d/%d)' % (pct(c), c['alive'], c['base']))} | {ratio} | "
          f"{f(v, gapf)} | {f(k, gapf)} | "
          f"{f(v, lambda c: '%d/%d' % (c['plost'], c['psent']))} | {f(k, lambda c: '%d/%d' % (c['plost'], c['psent']))} | "
          f"{f(v, lambda c: str(c['rr']))}, {f(k, lambda c: str(c['rr']))} | "
          f"{f(v, lambda c: '%.1f s' % (c['took'] / 1000))}, {f(k, lambda c: '%.1f s' % (c['took'] / 1000))} |")
    if check and v and not pct(v) >= check:   # (a cell without connections fails too)
        bad.append(f"{mode} {phase} N={n}: {pct(v):.2f} % < {check} %")
if check:
    want = {(m, p) for m in {k[0] for k in cells} for p in order}
    have = {(k[0], k[1]) for k in cells if k[4] == "vigil"}
    for m, p in sorted(want - have):
        bad.append(f"{m} {p}: no Vigil figure")
    for b in bad:
        print("FAIL: survival " + b)
    if not bad:
        print(f"PASS: every Vigil cell kept at least {check} % of its connections")
    sys.exit(1 if bad else 0)
PY
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
