#!/usr/bin/env bash
# Failover bench: SIGKILL of the MASTER's process group (and, second part, SIGTERM: priority 0) → VIP present on the BACKUP (ip monitor
# timestamp) and first gratuitous ARP from the backup seen on the wire (tcpdump in the backup's
# namespace). Vigil and keepalived as the backup, same lab, same run. Root.
# Usage: scripts/ha/bench.sh [RUNS]   (default 10 per implementation and mode)
set -u
cd "$(dirname "$0")/../.."
: "${VIGIL_BIN:=$PWD/.build/debug/vigil}"
export VIGIL_BIN
RUNS=${1:-${HA_BENCH_RUNS:-10}}
HERE=scripts/ha
[ "$(id -u)" = 0 ] || { echo "error: bench-ha needs root" >&2; exit 1; }
for t in keepalived tcpdump python3; do command -v $t >/dev/null || { echo "error: $t missing" >&2; exit 1; }; done

LAB_ID="$(printf 'b%03x' $((RANDOM % 4096)))"
LAB_DIR=$(mktemp -d /tmp/vigil-ha-bench.XXXXXX)
source $HERE/lab.sh
trap lab_cleanup EXIT
trap 'exit 130' INT TERM
lab_up || { echo "lab setup failed" >&2; exit 1; }
cp "$VIGIL_BIN" "$LAB_DIR/vigil" && VIGIL_BIN="$LAB_DIR/vigil"  # a rebuild during the bench must not matter

conf() { # FILE PRIO VERSION INTERVAL
  cat >"$1" <<C
vrrp_instance VI_1 {
    state BACKUP
    interface veth0
    virtual_router_id 51
    priority $2
    version $3
    advert_int $4
    virtual_ipaddress {
        10.9.0.100/24
    }
}
C
}

start() { # IMPL NS NAME CONF
  if [ "$1" = vigil ]; then lab_start_vigil "$2" "$3" "$4"; else lab_start_keepalived "$2" "$3" "$4"; fi
}

# one_run IMPL VERSION INTERVAL [kill|term] → prints "vip_ms garp_ms advert_to_garp_ms"
# (the last: from the master's last advertisement seen on the wire to the backup's first GARP).
one_run() {
  local impl=$1 ver=$2 int=$3 how=${4:-kill}
  conf "$LAB_DIR/a.conf" 150 "$ver" "$int"; conf "$LAB_DIR/b.conf" 100 "$ver" "$int"
  ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  ip -n "$NS_B" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  start "$impl" "$NS_A" ma "$LAB_DIR/a.conf"; local ma=$LAST_PGID
  start "$impl" "$NS_B" mb "$LAB_DIR/b.conf"; local mb=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 10 || { echo "master did not come up" >&2; lab_kill $ma; lab_kill $mb; return 1; }
  local mac; mac=$(ip netns exec "$NS_B" cat /sys/class/net/veth0/address)
  ip netns exec "$NS_B" tcpdump -i veth0 -n -l -tt --immediate-mode "(arp and ether src $mac) or (ip proto 112 and src host 10.9.0.1)" \
    >"$LAB_DIR/wire.txt" 2>/dev/null &
  local td=$!
  if [ "$ver" = 2 ]; then sleep 2.5; else sleep 0.7; fi
  ip -n "$NS_B" monitor address >"$LAB_DIR/mon.txt" 2>/dev/null &
  local mon=$!
  sleep 0.3
  local t0; t0=$(date +%s.%N)
  if [ "$how" = term ]; then kill -TERM "$(cat "$LAB_DIR/ma.pid")"; else lab_kill "$ma"; fi
  local tv=""
  for _ in $(seq 500); do
    if lab_has_vip "$NS_B" 10.9.0.100; then tv=$(date +%s.%N); break; fi
    sleep 0.005
  done
  for _ in $(seq 100); do grep -q ARP "$LAB_DIR/wire.txt" && break; sleep 0.02; done
  sleep 0.05
  kill $td $mon 2>/dev/null; wait $td $mon 2>/dev/null
  grep ARP "$LAB_DIR/wire.txt" | head -1 >"$LAB_DIR/garp.txt"
  local tl; tl=$(awk -v g="$(awk '{print $1}' "$LAB_DIR/garp.txt")" '/VRRP/ && (g == "" || $1 < g) {t=$1} END {print t}' "$LAB_DIR/wire.txt")
  lab_kill "$mb"; lab_kill "$ma"; sleep 0.2
  local tg; tg=$(awk 'NR==1{print $1}' "$LAB_DIR/garp.txt")
  python3 -c "import sys; t0=float(sys.argv[1]); d=lambda a, b: (float(a)-float(b))*1000 if a and b else -1; print('%.1f %.1f %.1f' % (d(sys.argv[2], t0), d(sys.argv[3], t0), d(sys.argv[3], sys.argv[4])))" "$t0" "${tv:-}" "${tg:-}" "${tl:-}"
}

summary() { # LABEL BOUND_MS FILE
  python3 - "$@" <<'PY'
import sys, statistics
label, bound, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
for i, name in ((0, "kill→VIP present"), (1, "kill→first GARP"), (2, "last advert→GARP")):
    v = [r[i] for r in rows if len(r) > i and r[i] >= 0]
    if not v: print(f"  {label:12s} {name:17s}: no data"); continue
    med = statistics.median(v)
    print(f"  {label:12s} {name:17s}: n={len(v):2d} median {med:7.1f} ms  min {min(v):7.1f}  max {max(v):7.1f}  median/bound {med/bound:5.3f}")
PY
}

for mode in "2 1 3609.4" "3 0.1 360.9"; do
  set -- $mode; ver=$1; int=$2; bound=$3
  for impl in vigil keepalived; do
    : >"$LAB_DIR/$impl-$ver.txt"
    for r in $(seq "$RUNS"); do one_run "$impl" "$ver" "$int" >>"$LAB_DIR/$impl-$ver.txt" || true; done
  done
  echo "VRRPv$ver advert_int $int, backup priority 100: RFC bound 3×advert+skew = $bound ms (SIGKILL → event, lower is better)"
  for impl in vigil keepalived; do summary "$impl" "$bound" "$LAB_DIR/$impl-$ver.txt"; done
  python3 - "$LAB_DIR/vigil-$ver.txt" "$LAB_DIR/keepalived-$ver.txt" <<'PY'
import sys, statistics
for col, name in ((0, "VIP present"), (1, "first GARP"), (2, "last advert→GARP")):
    m = [statistics.median([float(l.split()[col]) for l in open(p) if len(l.split()) > col and float(l.split()[col]) >= 0] or [float('nan')]) for p in sys.argv[1:]]
    print(f"  ratio vigil/keepalived ({name}, median): {m[0]/m[1]:.3f}")
PY
done

# Graceful stop: SIGTERM of the master → priority-0 advert → backup takes over after Skew_Time.
for mode in "2 1 609.4" "3 0.1 60.9"; do
  set -- $mode; ver=$1; int=$2; bound=$3
  for impl in vigil keepalived; do
    : >"$LAB_DIR/term-$impl-$ver.txt"
    for r in $(seq "$RUNS"); do one_run "$impl" "$ver" "$int" term >>"$LAB_DIR/term-$impl-$ver.txt" || true; done
  done
  echo "VRRPv$ver advert_int $int, SIGTERM of the master: bound Skew_Time = $bound ms (goal: within +20 ms)"
  for impl in vigil keepalived; do summary "$impl" "$bound" "$LAB_DIR/term-$impl-$ver.txt"; done
done
