#!/usr/bin/env bash
# Director benchmarks (issue #6), inside one qemu lab boot (`make bench-director`), on the topology of
# scripts/demo/topology.sh (client, two directors, three nginx over LVS-NAT; topo_config's file for both daemons).
#
#   outage  client-visible outage during a MASTER crash (process group SIGKILLed + links down): the longest time
#           between two successful responses seen by one long-lived client process (scripts/director/client.py
#           --overlap: a new request every 10 ms over a fresh connection whether or not the earlier ones finished,
#           1 s timeout; the clock starts when the links are down), for advert_int 1 (VRRPv2) and 0.1
#           (VRRPv3), a Vigil pair versus a keepalived pair, N repetitions each, interleaved; median/min/max, ratios.
#           The gap depends on where in the advert cycle the crash falls (up to one advert interval), so a tcpdump in
#           the client's namespace also gives two phase-free figures per run: the dead MASTER's last advert on the
#           wire → the new MASTER's first gratuitous ARP for the VIP, and → the first successful request.
#   idle    one Vigil and one keepalived director side by side (separate VRRP instances, each MASTER of its own VIP
#           with the topology's virtual server and 3 TCP_CHECKs at delay_loop 1), idle for IDLE seconds after
#           settling: RSS (VmRSS) and CPU seconds per minute (utime + stime) summed over each daemon's process
#           group (keepalived: parent + VRRP child + checker child), ratios.
#
# Usage: scripts/director/bench.sh [all|outage|idle]     (default all)
# Environment: VIGIL_BIN (the release build), VIGIL_BENCH_RUNS (N, default 3), VIGIL_BENCH_IDLE_SECONDS (60),
#              VIGIL_BENCH_SETTLE_SECONDS (10), VIGIL_BENCH_ADVERTS (advert_int values, default "1 0.1"),
#              VIGIL_BENCH_KEEP (a directory: each outage run's client lines and daemon logs are copied there).
set -u
cd "$(dirname "$0")/../.."
. scripts/demo/topology.sh
WHAT=${1:-all}
RUNS=${VIGIL_BENCH_RUNS:-3}
IDLE=${VIGIL_BENCH_IDLE_SECONDS:-60}
SETTLE=${VIGIL_BENCH_SETTLE_SECONDS:-10}
ADVERTS=${VIGIL_BENCH_ADVERTS:-1 0.1}
CLIENT="$TOPO_DIR/client.txt"
WIRE="$TOPO_DIR/wire.txt"
WIRE_PID=
RESULTS="$TOPO_DIR/results.txt"

cleanup() { topo_client_stop; [ -n "$WIRE_PID" ] && kill "$WIRE_PID" 2>/dev/null; topo_cleanup; }
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "error: bench-director needs root" >&2; exit 1; }
test -e /proc/net/ip_vs || modprobe ip_vs 2>/dev/null || test -e /proc/net/ip_vs \
  || { echo "error: no IPVS in this kernel (run through make bench-director)" >&2; exit 1; }
for t in keepalived nginx "$TOPO_PYTHON" ipvsadm ip setsid getconf tcpdump; do
  command -v "$t" >/dev/null || { echo "error: $t is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing (make build-release)" >&2; exit 1; }
cp "$VIGIL_BIN" "$TOPO_DIR/vigil" && VIGIL_BIN="$TOPO_DIR/vigil"   # a rebuild during the bench must not matter
echo "# vigil: $VIGIL_BIN ($(stat -c %s "$VIGIL_BIN") bytes); $(keepalived --version 2>&1 | head -n1); runs $RUNS; $(nproc) CPU(s)"
echo "# load at start: $(cut -d' ' -f1-3 /proc/loadavg)"

topo_up 2 3 || { echo "error: cannot build the topology" >&2; exit 1; }
for k in 1 2 3; do topo_nginx_start "$k" || { echo "error: nginx r$k did not start" >&2; exit 1; }; done

three() { [ "$(topo_ipvs_reals "$1" | wc -l)" -eq 3 ]; }
served_after() { awk -v t="$1" '$2 == "ok" && $1 - $4 > t' "$CLIENT" | grep -q .; }   # a request started after t
# start IMPL N CONF — director N runs IMPL (vigil|keepalived) with CONF.
start() { if [ "$1" = vigil ]; then topo_director_start "$2" "$3"; else topo_keepalived_start "$2" "$3"; fi; }
# is_backup IMPL N — director N's log shows its BACKUP state.
is_backup() {
  if [ "$1" = vigil ]; then grep -q "VI_1: [A-Z]* -> BACKUP" "$TOPO_DIR/director$2.log"
  else grep -q "(VI_1) Entering BACKUP STATE" "$TOPO_DIR/keepalived$2.log"; fi
}
# was_master IMPL N — director N's log shows a MASTER state.
was_master() {
  if [ "$1" = vigil ]; then grep -q "VI_1: [A-Z]* -> MASTER" "$TOPO_DIR/director$2.log"
  else grep -q "(VI_1) Entering MASTER STATE" "$TOPO_DIR/keepalived$2.log"; fi
}
conf() { # N STATE PRIORITY ADVERT
  if [ "$4" = 1 ]; then topo_config "$1" "$2" "$3" 3 1; else topo_config_v3 "$1" "$2" "$3" 3 "$4"; fi
}

# one_outage IMPL ADVERT — one repetition; appends "IMPL ADVERT GAP_MS FAILED" to RESULTS. Returns 2 when the BACKUP
# took over before the kill (a starved TCG guest can miss adverts at advert_int 0.1): the caller repeats the run.
one_outage() {
  local impl=$1 adv=$2 t_kill t_end line
  start "$impl" 1 "$(conf 1 MASTER 150 "$adv")"
  topo_wait 90 "$impl MASTER takes the VIP" topo_has_vip 1 || return 1
  topo_wait 20 "$impl MASTER table" three 1 || return 1
  start "$impl" 2 "$(conf 2 BACKUP 100 "$adv")"
  topo_wait 90 "$impl BACKUP" is_backup "$impl" 2 || return 1
  local t_ready; t_ready=$(topo_now_ms)
  topo_wait 20 "the client served by the $impl MASTER" served_after "$t_ready" || return 1
  sleep 2   # steady state: adverts flowing, the BACKUP's checks have results
  if was_master "$impl" 2 || topo_has_vip 2; then
    echo "  $impl advert_int $adv: the BACKUP became MASTER before the kill (missed adverts under load); repeating"
    topo_director_kill 1 KILL; topo_director_kill 2 KILL; topo_director_reboot 1; topo_director_reboot 2
    return 2
  fi
  topo_director_crash 1
  t_kill=$(topo_now_ms)   # the links are down (the `ip` process takes ~0.8 s to start under TCG)
  topo_wait 30 "the client served after the $impl takeover" served_after "$t_kill" || return 1
  sleep 0.5
  t_end=$(topo_now_ms)
  line=$(awk -v a="$t_kill" -v b="$t_end" '
    $2 == "ok" && $1 < a { last = $1 }
    $1 >= a && $1 <= b { if ($2 != "ok") f++; else { if ($1 - last > g) g = $1 - last; last = $1 } }
    END { printf "%d %d\n", g, f }' "$CLIENT")
  # From the wire (epoch seconds with µs from tcpdump -tt): the old MASTER's last advert before the kill, the new
  # MASTER's first gratuitous ARP for the VIP after it, and the first request started after the kill that succeeded.
  local wire
  wire=$(awk -v a="$t_kill" -v vip="$TOPO_VIP" -v old=10.10.1.11 '
    FNR == NR {
      t = int($1 * 1000)
      if ($3 == old && / VRRP/ && t <= a) { last = t; garp = 0 }
      # tcpdump prints a GARP as "who-has VIP (ff:ff:ff:ff:ff:ff) tell VIP, length 28"
      if (last && t > last && !garp && ((index($0, "who-has " vip " ") && index($0, "tell " vip ",")) || index($0, "Reply " vip " is-at"))) garp = t
      next
    }
    $2 == "ok" && $1 - $4 > a && !ok { ok = $1 }
    END { if (last && garp && ok) printf "%d %d\n", garp - last, ok - last; else print "-1 -1" }' "$WIRE" "$CLIENT")
  echo "$impl $adv $line $wire" >> "$RESULTS"
  if [ -n "${VIGIL_BENCH_KEEP:-}" ]; then
    local keep="$VIGIL_BENCH_KEEP/$impl-$adv-$(date +%H%M%S)"
    mkdir -p "$keep" && cp "$TOPO_DIR"/*.log "$WIRE" "$keep/" 2>/dev/null
    awk -v a="$((t_kill - 3000))" -v b="$t_end" '$1 >= a && $1 <= b' "$CLIENT" > "$keep/client.txt"
    echo "$t_kill" > "$keep/t_kill"
  fi
  echo "  $impl advert_int $adv: longest gap without a success ${line% *} ms, failed requests ${line#* };" \
    "last advert → GARP ${wire% *} ms, → first success ${wire#* } ms" \
    "($(awk -v a="$t_kill" -v b="$t_end" '$1 >= a && $1 <= b && $2 != "ok" { n[$3]++ } END { for (r in n) printf "%s %d ", r, n[r] }' "$CLIENT"))"
  # The new MASTER's own account of the takeover (its clock is the client's).
  if [ "$impl" = vigil ]; then
    grep -E "VI_1: BACKUP -> MASTER|installed:|ipvs: -A" "$TOPO_DIR/director2.log" | sed 's/^/    vigil: /'
  else
    grep -E "Entering MASTER STATE|Sending gratuitous" "$TOPO_DIR/keepalived2.log" | head -n 3 | sed 's/^/    keepalived: /'
  fi
  echo "    kill at $(date -d "@${t_kill:0:-3}.${t_kill: -3}" '+%H:%M:%S.%3N')"
  topo_director_kill 2 KILL
  topo_director_reboot 1
  topo_director_reboot 2
  return 0
}

outage() {
  local adv r impl t0
  REPEATS=0
  : > "$RESULTS"
  topo_client_start "$CLIENT" 0.01 1 --overlap
  ip netns exec "$TOPO_NS_C" tcpdump -l -n -tt -i veth0 'ip proto 112 or arp' > "$WIRE" 2>"$WIRE.err" &
  WIRE_PID=$!
  topo_client_ready "$CLIENT" || { echo "error: the client did not start" >&2; return 1; }
  for adv in $ADVERTS; do
    for r in $(seq "$RUNS"); do
      for impl in vigil keepalived; do
        t0=$(topo_now_ms)
        local tries=0 st
        while :; do
          one_outage "$impl" "$adv"; st=$?
          [ "$st" = 2 ] && [ "$tries" -lt 3 ] || break
          tries=$((tries + 1)); REPEATS=$((REPEATS + 1))
        done
        if [ "$st" != 0 ]; then
          echo "error: $impl advert_int $adv run $r failed; logs:" >&2
          tail -n 30 "$TOPO_DIR"/director[12].log "$TOPO_DIR"/keepalived[12].log 2>/dev/null >&2
          return 1
        fi
        echo "    (run $r took $(( ($(topo_now_ms) - t0) / 1000 )) s; load $(cut -d' ' -f1 /proc/loadavg))"
      done
    done
  done
  topo_client_stop
  kill "$WIRE_PID" 2>/dev/null; wait "$WIRE_PID" 2>/dev/null; WIRE_PID=
  echo "== client-visible outage, MASTER crash (SIGKILL of the process group + links down), $RUNS runs each ($REPEATS run(s) repeated: BACKUP took over before the kill)"
  "$TOPO_PYTHON" - "$RESULTS" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
med = {}
for adv in sorted({r[1] for r in rows}, key=float, reverse=True):
    for impl in ("vigil", "keepalived"):
        g = [int(r[2]) for r in rows if r[0] == impl and r[1] == adv]
        f = [int(r[3]) for r in rows if r[0] == impl and r[1] == adv]
        w = [(int(r[4]), int(r[5])) for r in rows if r[0] == impl and r[1] == adv and len(r) > 5 and int(r[4]) >= 0]
        if not g:
            continue
        med[(impl, adv)] = statistics.median(g)
        print(f"advert_int {adv:>3} {impl:>10}: gap median {statistics.median(g):7.0f} ms  min {min(g):6d}  max {max(g):6d}"
              f"   failed requests median {statistics.median(f):.0f} (min {min(f)}, max {max(f)})")
        if w:
            med[(impl, adv, "garp")] = statistics.median(x for x, _ in w)
            med[(impl, adv, "ok")] = statistics.median(y for _, y in w)
            print(f"advert_int {adv:>3} {impl:>10}: last advert -> first GARP median {med[(impl, adv, 'garp')]:7.0f} ms,"
                  f" -> first success median {med[(impl, adv, 'ok')]:7.0f} ms ({len(w)} runs with a capture)")
    if ("vigil", adv) in med and ("keepalived", adv) in med and med[("keepalived", adv)] > 0:
        print(f"advert_int {adv:>3}  ratio vigil/keepalived (median gap): {med[('vigil', adv)] / med[('keepalived', adv)]:.3f}")
    for k in ("garp", "ok"):
        if ("vigil", adv, k) in med and ("keepalived", adv, k) in med and med[("keepalived", adv, k)] > 0:
            print(f"advert_int {adv:>3}  ratio vigil/keepalived (last advert -> first {'GARP' if k == 'garp' else 'success'}):"
                  f" {med[('vigil', adv, k)] / med[('keepalived', adv, k)]:.3f}")
PY
}

idle() {
  local c1 c2 g1 g2 u0v u0k u1v u1k t0 t1 hz
  hz=$(getconf CLK_TCK)
  c1=$(topo_config 1 MASTER 150 3 1)
  # keepalived: its own instance (VRID 52) and VIPs, so both daemons are MASTER side by side.
  c2=$(topo_config 2 MASTER 150 3 1)
  sed -i -e 's/virtual_router_id 51/virtual_router_id 52/' -e "s/$TOPO_VIP/10.10.1.101/g" -e 's#10.10.2.1/24#10.10.2.2/24#' "$c2"
  topo_director_start 1 "$c1"; g1=${TOPO_DIRECTOR_PGID[1]}
  topo_keepalived_start 2 "$c2"; g2=${TOPO_DIRECTOR_PGID[2]}
  topo_wait 90 "Vigil MASTER" topo_has_vip 1 || return 1
  topo_wait 20 "Vigil's table" three 1 || return 1
  topo_wait 90 "keepalived MASTER" grep -q "(VI_1) Entering MASTER STATE" "$TOPO_DIR/keepalived2.log" || return 1
  topo_wait 20 "keepalived's table" three 2 || return 1
  sleep "$SETTLE"
  t0=$(date +%s%N); u0v=$(topo_pgroup_usage "$g1"); u0k=$(topo_pgroup_usage "$g2")
  sleep "$IDLE"
  t1=$(date +%s%N); u1v=$(topo_pgroup_usage "$g1"); u1k=$(topo_pgroup_usage "$g2")
  echo "== idle daemon: topology config (1 VRRP instance MASTER, advert_int 1; 1 virtual server, 3 TCP_CHECKs at delay_loop 1), ${IDLE} s after ${SETTLE} s settling"
  "$TOPO_PYTHON" - "$hz" "$t0" "$t1" "$u0v" "$u1v" "$u0k" "$u1k" <<'PY'
import sys
hz, t0, t1 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
minutes = (t1 - t0) / 1e9 / 60
res = {}
for name, a, b in (("vigil", sys.argv[4], sys.argv[5]), ("keepalived", sys.argv[6], sys.argv[7])):
    n0, r0, c0, a0 = map(int, a.split()); n1, r1, c1, a1 = map(int, b.split())
    cpu = (c1 - c0) / hz / minutes
    res[name] = (r1, cpu, a1)
    print(f"{name:>10}: {n1} process(es), RSS {r1 / 1024:7.1f} MiB (private heap and stacks {a1 / 1024:5.1f} MiB, "
          f"the rest mapped code), CPU {cpu:6.3f} s per minute")
v, k = res["vigil"], res["keepalived"]
print(f"ratio vigil/keepalived: RSS {v[0] / k[0]:.2f}, private heap and stacks {v[2] / k[2] if k[2] > 0 else float('inf'):.2f}, "
      f"CPU {v[1] / k[1] if k[1] > 0 else float('inf'):.2f}")
PY
  topo_director_kill 1 TERM; topo_director_kill 2 TERM
}

rc=0
case "$WHAT" in
  outage) outage || rc=1 ;;
  idle) idle || rc=1 ;;
  all) outage || rc=1; idle || rc=1 ;;
  *) echo "usage: $0 [all|outage|idle]" >&2; exit 2 ;;
esac
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
