#!/usr/bin/env bash
# VM end-to-end suite: keepalived 2.x as the peer director of a `vigil run` director (issue #6), on the
# topology of scripts/demo/topology.sh (client, two directors, three nginx over LVS-NAT) and the same config
# file shape (topo_config) for both daemons. Runs inside the qemu lab (`make test-vm` → test-vm-keepalived-peer,
# or `make test-vm-keepalived-peer-direct`). One topology for every case:
#   a) Vigil MASTER (150) + keepalived BACKUP (100): the client gets r1, r2, r3; keepalived stays BACKUP without
#      the VIP — and, unlike Vigil, installs the virtual server anyway (keepalived's checker process programs
#      IPVS whatever the VRRP state: recorded and asserted); a stopped nginx is evicted within the bound and
#      restored;
#   c) reload with keepalived as the peer: one weight edited in Vigil's config, SIGHUP: the weight changes in
#      ipvsadm -Ln, zero failed client requests, no VRRP transition on either director;
#   a) Vigil's host dies (process group SIGKILLed + links down): keepalived takes the VIP, the client is served
#      again; failed requests and the longest gap bounded and reported;
#   b) Vigil restarts as BACKUP (50) on the rebooted host: no VIP, no table; keepalived's host dies: Vigil takes
#      the VIP and installs the table; failed requests bounded and reported.
# A missing prerequisite is a failure with a message, never a skip. Everything is removed on exit.
set -u
cd "$(dirname "$0")/../.."
. scripts/demo/topology.sh
. scripts/lib/suite.sh

finish() {
  local rc=$?
  suite_failed "$rc" && suite_tail_logs 40 "$TOPO_DIR"/director*.log "$TOPO_DIR"/keepalived*.log
  topo_client_stop
  topo_cleanup
  suite_summary "keepalived-peer e2e" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

# Prerequisites.
[ "$(id -u)" = 0 ] || { echo "error: the keepalived-peer e2e suite needs root" >&2; exit 1; }
test -e /proc/net/ip_vs || modprobe ip_vs 2>/dev/null || test -e /proc/net/ip_vs \
  || { echo "error: no IPVS in this kernel (run through make test-vm)" >&2; exit 1; }
for t in keepalived nginx "$TOPO_PYTHON" ipvsadm ip setsid; do
  command -v "$t" >/dev/null || { echo "error: $t is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing (swift build)" >&2; exit 1; }
echo "# $(keepalived --version 2>&1 | head -n1)"

# delay_loop 1 + connect_timeout 1 × (retry 1 + 1) + delay_before_retry 1 × 1 (topo_config), plus TCG slack.
EVICT_BOUND_MS=4000
SLACK_MS=1000
CLIENT="$TOPO_DIR/client.txt"
KA_LOG="$TOPO_DIR/keepalived2.log"
V1_LOG="$TOPO_DIR/director1.log"

topo_up 2 3 || { echo "error: cannot build the topology" >&2; exit 1; }
topo_client_start "$CLIENT" 0.1 1.5   # starts now, fails until there is a VIP: its start-up overlaps the lab's
for k in 1 2 3; do topo_nginx_start "$k" || { echo "error: nginx r$k did not start" >&2; exit 1; }; done

reals_of() { topo_ipvs_reals "$1" | tr '\n' ' '; }
three() { [ "$(topo_ipvs_reals "$1" | wc -l)" -eq 3 ]; }
absent() { ! topo_ipvs_reals "$1" | grep -qx "$2"; }
present() { topo_ipvs_reals "$1" | grep -qx "$2"; }
ka_state() { grep -c "(VI_1) Entering $1 STATE" "$KA_LOG"; }
vigil_transitions() { grep -c "VI_1: [A-Z]* -> [A-Z]*" "$1"; }
# served_after T — the client had a successful request after T (ms).
served_after() { awk -v t="$1" '$1 > t && $2 == "ok"' "$CLIENT" | grep -q .; }
# outage T0 T1 — "FAILED GAP_MS": failed requests in [T0, T1] and the longest time without a success across it.
outage() {
  awk -v a="$1" -v b="$2" '
    $2 == "ok" && $1 < a { last = $1 }
    $1 >= a && $1 <= b { if ($2 == "fail") f++; else { if (last && $1 - last > g) g = $1 - last; last = $1 } }
    END { printf "%d %d\n", f, g }' "$CLIENT"
}

# ===== a) Vigil MASTER + keepalived BACKUP
topo_director_start 1 "$(topo_config 1 MASTER 150 3)"
check "Vigil (director 1) takes the VIP" topo_wait 90 "VIP on director 1" topo_has_vip 1
check "Vigil installs the virtual server with 3 real servers" topo_wait 20 "3 real servers on director 1" three 1
topo_keepalived_start 2 "$(topo_config 2 BACKUP 100 3)"
ka_backup() { [ "$(ka_state BACKUP)" -ge 1 ]; }
check "keepalived (director 2) starts and enters BACKUP" topo_wait 90 "keepalived BACKUP" ka_backup
# keepalived's checker child programs IPVS independently of VRRP (it has no MASTER-owns-the-table rule).
check "keepalived as BACKUP installs the virtual server with its 3 real servers anyway (got: $(reals_of 2))" \
  topo_wait 20 "3 real servers on director 2" three 2
check "lvs_timeouts: keepalived and Vigil set the same IPVS timeouts (keepalived '$(topo_timeouts 2)', Vigil '$(topo_timeouts 1)')" \
  eval '[ "$(topo_timeouts 2)" = "7200 60 120" ] && [ "$(topo_timeouts 1)" = "$(topo_timeouts 2)" ]'
sleep 1.5   # two adverts: steady state, nothing to poll for
check "keepalived stays BACKUP (no MASTER transition in its log)" [ "$(ka_state MASTER)" -eq 0 ]
check "keepalived does not hold the VIP while Vigil is MASTER" eval '! topo_has_vip 2'
check "Vigil stays MASTER with keepalived as the peer (one '-> MASTER', no 'MASTER ->' in its log)" \
  eval '[ "$(grep -c "VI_1: [A-Z]* -> MASTER" "$V1_LOG")" -eq 1 ] && ! grep -q "VI_1: MASTER -> " "$V1_LOG"'

topo_client_ready "$CLIENT" || { not_ok "the client starts"; exit 1; }
topo_wait 10 "three pages" eval '[ "$(awk "\$2 == \"ok\" { print \$3 }" "$CLIENT" | sort -u | tr -d "\n")" = r1r2r3 ]'
seen=$(awk '$2 == "ok" { print $3 }' "$CLIENT" | sort -u | tr -d '\n')
check "the client gets answers from r1, r2 and r3 through Vigil (got '$seen')" [ "$seen" = r1r2r3 ]

t0=$(topo_now_ms)
topo_nginx_stop 2
if topo_wait 20 "r2 evicted by Vigil" absent 1 10.10.2.22:8080; then
  # The instant of the removal is Vigil's own log line (same clock): the first one after the stop.
  evict_ms=
  while read -r d t _; do
    ms=$(( $(date -d "$d $t" +%s%N) / 1000000 ))
    [ "$ms" -ge "$t0" ] && { evict_ms=$((ms - t0)); break; }
  done <<< "$(grep "ipvs: -d -t $TOPO_VIP:80 -r 10.10.2.22:8080" "$V1_LOG")"
  echo "# r2 evicted by Vigil ${evict_ms:-?} ms after nginx stopped (bound ${EVICT_BOUND_MS} ms + ${SLACK_MS} ms slack)"
  check "Vigil evicts r2 within the bound (${evict_ms:-no log line} ms)" [ "${evict_ms:-999999}" -le $((EVICT_BOUND_MS + SLACK_MS)) ]
else
  not_ok "Vigil evicts r2"
fi
check "keepalived (BACKUP) evicts r2 from its own table too" topo_wait 10 "r2 evicted by keepalived" absent 2 10.10.2.22:8080
t1=$(topo_now_ms)
pages_after() { awk -v t="$1" '$1 > t && $2 == "ok" { print $3 }' "$CLIENT" | sort -u | tr -d '\n'; }
topo_wait 15 "r1 and r3 answer after the eviction" eval '[ "$(pages_after "$t1")" = r1r3 ]'
pages=$(pages_after "$t1")
failed=$(awk -v t="$t1" '$1 > t && $2 == "fail"' "$CLIENT" | wc -l)
check "after eviction the client is served by r1 and r3, never r2 (got '$pages', $failed failed)" [ "$pages" = r1r3 ]
topo_nginx_start 2 || not_ok "nginx r2 restarts"
t0=$(topo_now_ms)
if topo_wait 20 "r2 restored" present 1 10.10.2.22:8080; then
  ok "Vigil restores r2 ($(( $(topo_now_ms) - t0 )) ms after nginx returned)"
else
  not_ok "Vigil restores r2"
fi
check "keepalived restores r2 in its table" topo_wait 20 "r2 back on director 2" present 2 10.10.2.22:8080
t1=$(topo_now_ms)
topo_wait 5 "r2 answers again" eval 'awk -v t=$t1 "\$1 > t && \$3 == \"r2\"" "$CLIENT" | grep -q .'
check "the client is answered by r2 again" eval 'awk -v t=$t1 "\$1 > t && \$3 == \"r2\"" "$CLIENT" | grep -q .'

# ===== c) SIGHUP reload of Vigil MASTER with keepalived as the peer
conf1="$TOPO_DIR/director1.conf"
v_before=$(vigil_transitions "$V1_LOG")
ka_before=$(grep -c "Entering" "$KA_LOG")
weight_r1() { topo_ipvs 1 | awk '$1 == "->" && $2 == "10.10.2.21:8080" { print $4 }'; }
# The first real_server block (r1): weight 1 → 3.
awk '/real_server 10.10.2.21 8080/ { inr1 = 1 } inr1 && /weight 1/ { sub(/weight 1/, "weight 3"); inr1 = 0 } { print }' \
  "$conf1" > "$conf1.new" && mv "$conf1.new" "$conf1"
t0=$(topo_now_ms)
kill -HUP "$(cat "$TOPO_DIR/director1.pid")"
if topo_wait 10 "r1 at weight 3" eval '[ "$(weight_r1)" = 3 ]'; then
  ok "SIGHUP: r1's weight is 3 in ipvsadm -Ln ($(( $(topo_now_ms) - t0 )) ms after the signal)"
else
  not_ok "SIGHUP: r1's weight is 3 in ipvsadm -Ln (got '$(weight_r1)')"
fi
sleep 2
read -r rl_failed rl_gap <<< "$(outage "$t0" "$(topo_now_ms)")"
echo "# reload: ${rl_failed} failed requests, longest gap ${rl_gap} ms"
check "the reload causes zero failed client requests (${rl_failed})" [ "$rl_failed" -eq 0 ]
check "the reload causes no VRRP transition on Vigil" [ "$(vigil_transitions "$V1_LOG")" -eq "$v_before" ]
check "the reload causes no VRRP transition on keepalived" [ "$(grep -c "Entering" "$KA_LOG")" -eq "$ka_before" ]
check "Vigil still holds the VIP after the reload" topo_has_vip 1

# ===== a) Vigil's host dies: keepalived takes over
t_kill=$(topo_now_ms)
topo_director_crash 1
check "keepalived takes the VIP" topo_wait 10 "VIP on director 2" topo_has_vip 2
vip_ms=$(( $(topo_now_ms) - t_kill ))
check "the client is served again (by keepalived's table)" topo_wait 10 "client served" served_after "$t_kill"
sleep 1
read -r a_failed a_gap <<< "$(outage "$t_kill" "$(topo_now_ms)")"
echo "# Vigil → keepalived: VIP on keepalived after ${vip_ms} ms (polled); ${a_failed} failed requests; longest gap ${a_gap} ms"
# advert_int 1: Master_Down_Interval 3 × 1 + (256 − 100)/256 ≈ 3.6 s; requests every 0.1 s with a 1.5 s timeout.
check "failed requests during the takeover are bounded (${a_failed} ≤ 20)" [ "$a_failed" -le 20 ]
check "the client's longest gap during the takeover is bounded (${a_gap} ms ≤ 8000)" [ "$a_gap" -le 8000 ]
check "keepalived logs its MASTER transition" [ "$(ka_state MASTER)" -ge 1 ]

# ===== b) keepalived MASTER + Vigil BACKUP
topo_director_reboot 1
rm -f "$TOPO_DIR/director1.pid"
# A fresh log for the new Vigil process (topo_director_start writes director1.log).
mv "$V1_LOG" "$TOPO_DIR/director1-master.log"
topo_director_start 1 "$(topo_config 1 BACKUP 50 3)"
v_backup() { grep -q "VI_1: [A-Z]* -> BACKUP" "$V1_LOG"; }
check "Vigil (director 1) restarts and enters BACKUP" topo_wait 90 "Vigil BACKUP" v_backup
sleep 1.5   # two adverts from keepalived: Vigil must stay BACKUP
check "Vigil stays BACKUP under keepalived MASTER (no MASTER transition)" eval '! grep -q "VI_1: [A-Z]* -> MASTER" "$V1_LOG"'
check "Vigil does not hold the VIP while keepalived is MASTER" eval '! topo_has_vip 1'
check "Vigil installs no virtual server while BACKUP" eval '! topo_ipvs 1 | grep -q "TCP  $TOPO_VIP:80"'
check "keepalived still holds the VIP" topo_has_vip 2

t_kill=$(topo_now_ms)
topo_director_crash 2
check "Vigil takes the VIP" topo_wait 10 "VIP on director 1" topo_has_vip 1
vip_ms=$(( $(topo_now_ms) - t_kill ))
check "Vigil installs the table with 3 real servers" topo_wait 5 "table on director 1" three 1
check "the client is served again (by Vigil's table)" topo_wait 10 "client served" served_after "$t_kill"
sleep 1
read -r b_failed b_gap <<< "$(outage "$t_kill" "$(topo_now_ms)")"
echo "# keepalived → Vigil: VIP on Vigil after ${vip_ms} ms (polled); ${b_failed} failed requests; longest gap ${b_gap} ms"
check "failed requests during the takeover are bounded (${b_failed} ≤ 20)" [ "$b_failed" -le 20 ]
check "the client's longest gap during the takeover is bounded (${b_gap} ms ≤ 8000)" [ "$b_gap" -le 8000 ]
grep -E "installed|VI_1: [A-Z]* -> MASTER" "$V1_LOG" | sed 's/^/# vigil: /'
exit 0
