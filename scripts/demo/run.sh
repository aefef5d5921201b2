#!/usr/bin/env bash
# The `make demo` timeline (runs inside the lab VM; scripts/demo.sh boots it). Two `vigil run` directors
# (MASTER priority 150, BACKUP 100) in front of three nginx real servers over LVS-NAT; a client requests the
# VIP every 0.1 s. Phases: MASTER serves — nginx r2 stops and is evicted — r2 returns — the MASTER's host dies
# and the BACKUP takes the VIP and the table. Failed requests are counted per phase. About a minute; removes
# everything it created.
set -u
cd "$(dirname "$0")/../.."
. scripts/demo/topology.sh

say() { printf '\n[%5.1fs] %s\n' "$(( $(topo_now_ms) - T0 ))e-3" "$*"; }
phase_start=0
phase_name=
phase() {
  [ -n "$phase_name" ] && report_phase
  phase_name=$1
  phase_start=$(topo_now_ms)
  say "== $1"
}
report_phase() {
  local now ok fail pages
  now=$(topo_now_ms)
  ok=$(awk -v a="$phase_start" -v b="$now" '$1 >= a && $1 < b && $2 == "ok"' "$CLIENT")
  fail=$(awk -v a="$phase_start" -v b="$now" '$1 >= a && $1 < b && $2 == "fail"' "$CLIENT" | wc -l)
  pages=$(printf '%s\n' "$ok" | awk 'NF { n[$3]++ } END { for (p in n) printf "%s×%d ", p, n[p] }')
  printf '         %-28s ok %3d  failed %3d   served by: %s\n' "$phase_name" "$(printf '%s\n' "$ok" | grep -c .)" "$fail" "$pages"
  SUMMARY+=("$(printf '%-28s failed %3d of %3d' "$phase_name" "$fail" "$(( $(printf '%s\n' "$ok" | grep -c .) + fail ))")")
}
cleanup() {
  topo_client_stop
  topo_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

test -e /proc/net/ip_vs || modprobe ip_vs 2>/dev/null || { echo "error: no IPVS in this kernel" >&2; exit 1; }
[ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing" >&2; exit 1; }
T0=$(topo_now_ms)
SUMMARY=()
say "lab: client 10.10.1.2 → VIP $TOPO_VIP:80 → LVS-NAT → nginx r1 r2 r3 (10.10.2.21-23:8080)"
topo_up 2 3 || exit 1
for k in 1 2 3; do topo_nginx_start "$k" || exit 1; done
topo_director_start 1 "$(topo_config 1 MASTER 150 3)"
topo_director_start 2 "$(topo_config 2 BACKUP 100 3)"
topo_wait 60 "VIP on director 1" topo_has_vip 1 || exit 1
three() { [ "$(topo_ipvs_reals "$1" | wc -l)" -eq 3 ]; }
topo_wait 30 "table on director 1" three 1 || exit 1
say "director 1 is MASTER and holds the VIP; its table:"
topo_ipvs 1 | sed 's/^/         /'

CLIENT="$TOPO_DIR/client.txt"
# One long-lived client process (a process start costs ~30 ms under TCG, python's ~0.6 s): a request to the
# VIP every 0.1 s with a 0.5 s timeout (scripts/director/client.py), one line per request.
topo_client_start "$CLIENT"
topo_client_ready "$CLIENT" || { echo "error: the client did not start" >&2; exit 1; }

phase "MASTER serves"
sleep 5
phase "r2 stopped"
t=$(topo_now_ms)
topo_nginx_stop 2
topo_wait 15 "r2 evicted" eval '! topo_ipvs_reals 1 | grep -q 10.10.2.22' && say "r2 evicted from the table $(( $(topo_now_ms) - t )) ms after nginx stopped:"
grep "10.10.2.22:8080 DOWN" "$TOPO_DIR/director1.log" | tail -n1 | sed 's/^/         log: /'
sleep 4
phase "r2 back"
topo_nginx_start 2
t=$(topo_now_ms)
topo_wait 15 "r2 restored" eval 'topo_ipvs_reals 1 | grep -q 10.10.2.22' && say "r2 restored $(( $(topo_now_ms) - t )) ms after nginx returned"
sleep 4
phase "MASTER host dies"
t=$(topo_now_ms)
topo_director_kill 1 KILL
ip -n "$(topo_ns_director 1)" link set veth0 down
ip -n "$(topo_ns_director 1)" link set veth1 down
topo_wait 30 "VIP on director 2" topo_has_vip 2 && say "director 2 holds the VIP $(( $(topo_now_ms) - t )) ms after the kill"
topo_wait 20 "table on director 2" three 2 && { say "director 2's table:"; topo_ipvs 2 | sed 's/^/         /'; }
grep -E "installed|withdrawn" "$TOPO_DIR/director2.log" | tail -n1 | sed 's/^/         log: /'
sleep 5
report_phase
topo_client_stop
say "summary (requests every ~0.1 s, 0.5 s timeout each):"
for l in "${SUMMARY[@]}"; do echo "         $l"; done
say "removing the lab"
