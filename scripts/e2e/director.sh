#!/usr/bin/env bash
# VM end-to-end suite of the Director (issue #6): `vigil run` directors in front of three nginx real
# servers over LVS-NAT, on the topology of scripts/demo/topology.sh. Runs inside the qemu lab
# (`make test-vm`, via `make vm-inside` → `make test-vm-director`), or directly on a host kernel with IPVS.
#   1. one director: the VIP and the table are installed; the client gets answers from r1, r2 and r3;
#   2. nginx r2 stops: evicted within delay_loop + connect_timeout×(retry+1) + delay_before_retry×retry;
#      the client keeps being served by r1 and r3;
#   3. nginx r2 returns: restored; the client sees r2 again;
#   4. a BACKUP director joins: it runs the checks but installs nothing; the MASTER runs the master connection-sync
#      daemon (lvs_sync_daemon), the BACKUP the backup one;
#   5. SIGHUP reload of the MASTER with one weight changed: the kernel weight changes with one edit, no client
#      request fails, no VRRP transition on either director;
#   6. SIGHUP reload with a broken file: the errors are logged with file:line:column, the running configuration
#      (VIP, table, weights) stays untouched, no request fails; the good file is restored;
#   7. the MASTER's host dies (vigil SIGKILLed and its links down at once): the BACKUP takes the VIP and
#      the table and switches to the master sync daemon; failed client requests and the longest gap are reported
#      and bounded;
#      30 long-lived keep-alive connections (one request a second each) run through it and must all survive;
#   7b. failback without loss (issue #15): the long-lived connections run through director 2; director 1
#      returns (higher priority) and holds its preemption until its synced connection table settles
#      (vigil_failback_hold), connections opened meanwhile included; it then takes over and every connection survives;
#   7c. planned handover (issue #15): `vigil handover` on director 1 moves the VIP to director 2 make-before-break
#      (no ping to the VIP every 10 ms lost, every connection alive), director 1 stays BACKUP, `--cancel` brings it
#      back through the failback hold, again without loss;
#   8. lvs_timeouts: set at start on both directors, the kernel's values back after director 2's SIGTERM.
# SMTP alerts (issue #13) ride along steps 1-3: director 1 has only smtp_server and notification_email, so by
# keepalived's defaults r2 going DOWN and coming back UP are mailed (to a real SMTP server, Python's smtpd, on
# loopback in director 1's namespace) and its VRRP transitions are not.
# A missing prerequisite is a failure with a message, never a skip. Everything is removed on exit.
set -u
cd "$(dirname "$0")/../.."
. scripts/demo/topology.sh
. scripts/lib/suite.sh

finish() {
  local rc=$?
  suite_failed "$rc" && suite_tail_logs 40 "$TOPO_DIR"/director*.log
  topo_cleanup
  suite_summary "director e2e" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

# Prerequisites.
suite_need_root "the director e2e suite"
suite_need_ipvs
suite_need_tools nginx curl ipvsadm ip setsid ping
suite_need_vigil

# delay_loop 1 + connect_timeout 1 × (retry 1 + 1) + delay_before_retry 1 × 1 (topology.sh's config).
EVICT_BOUND_MS=4000
# Scheduling slack under TCG (the removal instant comes from vigil's log, not from polling).
SLACK_MS=1000

topo_up 2 3 || { echo "error: cannot build the topology" >&2; exit 1; }
for k in 1 2 3; do topo_nginx_start "$k" || { echo "error: nginx r$k did not start" >&2; exit 1; }; done

# --- 1. one director
conf1=$(topo_config 1 MASTER 150 3)
# DIRECTOR_FAILBACK_HOLD=off (or seconds) sets vigil_failback_hold on both directors: "off" preempts and leaves the
# kernel's sync switches as keepalived does, and step 7b then shows what that costs (its checks fail).
with_hold() {
  [ -n "${DIRECTOR_FAILBACK_HOLD:-}" ] && sed -i "s/^global_defs {\$/global_defs {\n    vigil_failback_hold $DIRECTOR_FAILBACK_HOLD/" "$1"
  true
}
with_hold "$conf1"
MAIL_DIR="$TOPO_DIR/mail"
mkdir -p "$MAIL_DIR"
sed -i 's|^global_defs {|global_defs {\n    smtp_server 127.0.0.1 2525\n    notification_email {\n        ops@example.com\n    }\n    notification_email_from director1@lab.example|' "$conf1"
setsid ip netns exec "$(topo_ns_director 1)" python3 scripts/ha/smtp-sink.py sink 127.0.0.1 2525 "$MAIL_DIR" \
  >"$TOPO_DIR/smtp-sink.log" 2>&1 &
TOPO_PGIDS+=("$!")
check "the SMTP sink of director 1 listens" topo_wait 90 "SMTP sink 1" grep -q '^ready' "$TOPO_DIR/smtp-sink.log"
# mail_with SUBJECT_PATTERN TIMEOUT_S — the first message in MAIL_DIR whose Subject matches.
mail_with() {
  local end=$(( $(date +%s) + $2 )) f
  while [ "$(date +%s)" -le "$end" ]; do
    for f in "$MAIL_DIR"/*.eml; do [ -e "$f" ] && grep -q "^Subject: .*$1" "$f" && { echo "$f"; return 0; }; done
    sleep 0.2
  done
  return 1
}
topo_director_start 1 "$conf1"
check "director 1 takes the VIP" topo_wait 40 "VIP on director 1" topo_has_vip 1
three() { [ "$(topo_ipvs_reals "$1" | wc -l)" -eq 3 ]; }
check "director 1 installs the virtual server with 3 real servers" topo_wait 20 "3 real servers" three 1
check "director 1 sets lvs_timeouts over the kernel's (got '$(topo_timeouts 1)')" [ "$(topo_timeouts 1)" = "7200 60 120" ]
seen=$(for _ in $(seq 12); do topo_get 2; echo; done | sort -u | tr -d '\n')
check "the client gets answers from r1, r2 and r3 (got '$seen')" [ "$seen" = r1r2r3 ]

# --- 2. eviction
absent() { ! topo_ipvs_reals 1 | grep -qx "$2"; }
present() { topo_ipvs_reals 1 | grep -qx "$2"; }
t0=$(topo_now_ms)
topo_nginx_stop 2
if topo_wait 20 "r2 evicted" absent 1 10.10.2.22:8080; then
  polled_ms=$(( $(topo_now_ms) - t0 ))
  # The instant of the removal is vigil's own log line (same clock), not when polling noticed it.
  line=$(grep -m1 "ipvs: -d -t $TOPO_VIP:80 -r 10.10.2.22:8080" "$TOPO_DIR/director1.log" | awk '{ print $1 " " $2 }')
  removed_ms=$(( $(date -d "$line" +%s%N) / 1000000 ))
  evict_ms=$(( removed_ms - t0 ))
  echo "# r2 evicted ${evict_ms} ms after nginx stopped (seen by polling after ${polled_ms} ms; bound ${EVICT_BOUND_MS} ms + ${SLACK_MS} ms slack)"
  check "r2 is evicted within the bound (${evict_ms} ms)" [ "$evict_ms" -le $((EVICT_BOUND_MS + SLACK_MS)) ]
else
  not_ok "r2 is evicted"
fi
pages=$(for _ in $(seq 8); do topo_get 2 || echo FAIL; echo; done | sort -u | tr -d '\n')
check "after eviction every request is served by r1 or r3 (got '$pages')" [ "$pages" = r1r3 ]
grep -q "10.10.2.22:8080 DOWN" "$TOPO_DIR/director1.log"
check "the eviction is logged with its reason" [ $? -eq 0 ]
if m=$(mail_with "real server 10.10.2.22:8080 of virtual server $TOPO_VIP:80: DOWN" 10); then
  ok "r2 DOWN is mailed (smtp_alert defaults on for real servers)"
  sed 's/^/# | /' "$m"
  check "the DOWN mail is addressed to notification_email" grep -qx "X-Envelope-To: ops@example.com" "$m"
  check "the DOWN mail names the checker's reason" grep -q "^Reason: TCP_CHECK" "$m"
else
  not_ok "r2 DOWN is mailed (sink log: $(tail -3 "$TOPO_DIR/smtp-sink.log" | tr '\n' ' '))"
fi

# --- 3. restore
topo_nginx_start 2 || not_ok "nginx r2 restarts"
t0=$(topo_now_ms)
if topo_wait 10 "r2 restored" present 1 10.10.2.22:8080; then
  ok "r2 is restored ($(( $(topo_now_ms) - t0 )) ms after nginx returned)"
else
  not_ok "r2 is restored"
fi
seen=$(for _ in $(seq 12); do topo_get 2; echo; done | sort -u | tr -d '\n')
check "the client gets answers from r1, r2 and r3 again (got '$seen')" [ "$seen" = r1r2r3 ]
check "r2 UP is mailed" mail_with "real server 10.10.2.22:8080 of virtual server $TOPO_VIP:80: UP" 10
check "no VRRP transition is mailed (smtp_alert defaults off for instances)" bash -c "! grep -l 'Subject: .*VRRP' $MAIL_DIR/*.eml"

# --- 4. a BACKUP joins
conf2=$(topo_config 2 BACKUP 100 3)
with_hold "$conf2"
# Director 2 mails its VRRP transitions (smtp_alert_vrrp) to its own sink: the takeover (step 7) and the STOP at its
# SIGTERM (step 8), which goes through the balancer's event path.
MAIL2_DIR="$TOPO_DIR/mail2"
mkdir -p "$MAIL2_DIR"
sed -i 's|^global_defs {|global_defs {\n    smtp_server 127.0.0.1 2525\n    notification_email {\n        ops@example.com\n    }\n    smtp_alert_vrrp|' "$conf2"
setsid ip netns exec "$(topo_ns_director 2)" python3 scripts/ha/smtp-sink.py sink 127.0.0.1 2525 "$MAIL2_DIR" \
  >"$TOPO_DIR/smtp-sink2.log" 2>&1 &
TOPO_PGIDS+=("$!")
check "the SMTP sink of director 2 listens" topo_wait 90 "SMTP sink 2" grep -q '^ready' "$TOPO_DIR/smtp-sink2.log"
topo_director_start 2 "$conf2"
started() { grep -q "Starting Vigil load balancer" "$TOPO_DIR/director2.log"; }
check "director 2 starts" topo_wait 40 "director 2 started" started
backup() { grep -q "VI_1.*BACKUP" "$TOPO_DIR/director2.log"; }
topo_wait 10 "director 2 BACKUP" backup || true
sleep 1.5  # two adverts: director 2 must stay BACKUP (a steady state has no event to poll for)
check "director 2 does not hold the VIP while director 1 is MASTER" eval '! topo_has_vip 2'
check "director 2 installs no virtual server while BACKUP" eval '! topo_ipvs 2 | grep -q "TCP  $TOPO_VIP:80"'
# lvs_sync_daemon: the MASTER sends connection state, the BACKUP receives it.
for k in 1 2; do echo "# director $k sync daemons: $(ip netns exec "$(topo_ns_director "$k")" ipvsadm -L --daemon 2>&1 | tr '\n' ';')"; done
check "director 1 (MASTER) runs the master sync daemon" topo_wait 5 "master sync daemon on director 1" topo_sync_daemon 1 master
check "director 2 (BACKUP) runs the backup sync daemon" topo_wait 5 "backup sync daemon on director 2" topo_sync_daemon 2 backup

# The long-lived client (scripts/director/client.py through topology.sh): "<ms> ok rK <latency>" or "<ms> fail …".
client_start() {
  topo_client_start "$1" && topo_wait 120 "the client's first answer" grep -q " ok " "$1"
}
client_stop() { topo_client_stop; }
count_after() { awk -v t="$2" -v w="$3" '$1 >= t && $2 == w' "$1" | wc -l; }
weight_of() { topo_ipvs "$1" | awk -v r="$2" '$1 == "->" && $2 == r { print $4 }'; }
transitions() { grep -c "VI_1: [A-Z]* -> " "$TOPO_DIR/director$1.log"; }

# --- 5. hitless reload: one weight changes
reload_client="$TOPO_DIR/reload-client.txt"
check "the client is served before the reload" client_start "$reload_client"
tr1=$(transitions 1); tr2=$(transitions 2)
log_lines=$(wc -l < "$TOPO_DIR/director1.log")
cp "$conf1" "$conf1.good"
sed -i '0,/weight 1/s//weight 3/' "$conf1"   # the first real_server: r1
t_reload=$(topo_now_ms)
kill -HUP "$(cat "$TOPO_DIR/director1.pid")"
weight3() { [ "$(weight_of 1 10.10.2.21:8080)" = 3 ]; }
check "the reload sets r1's weight to 3 in the kernel" topo_wait 10 "r1 weight 3" weight3
sleep 2
ipvs_ops=$(tail -n +"$((log_lines + 1))" "$TOPO_DIR/director1.log" | grep -c "ipvs: ")
ipvs_edit=$(tail -n +"$((log_lines + 1))" "$TOPO_DIR/director1.log" | grep -c "ipvs: -e -t $TOPO_VIP:80 -r 10.10.2.21:8080 -m -w 3")
check "the reload issues one IPVS operation, the weight edit (${ipvs_ops} operations)" [ "$ipvs_ops" -eq 1 -a "$ipvs_edit" -eq 1 ]
failed=$(count_after "$reload_client" "$t_reload" fail); served=$(count_after "$reload_client" "$t_reload" ok)
echo "# reload: ${served} requests served, ${failed} failed"
check "no request fails during the reload (${failed} failed, ${served} served)" [ "$failed" -eq 0 -a "$served" -gt 0 ]
check "no VRRP transition on either director" [ "$(transitions 1)" = "$tr1" -a "$(transitions 2)" = "$tr2" ]

# --- 6. a reload with a broken file keeps the running configuration
log_lines=$(wc -l < "$TOPO_DIR/director1.log")
bad_line=$(grep -n "priority 150" "$conf1" | cut -d: -f1)
sed -i 's/priority 150/priority 999/' "$conf1"
t_reload=$(topo_now_ms)
kill -HUP "$(cat "$TOPO_DIR/director1.pid")"
rejected() { tail -n +"$((log_lines + 1))" "$TOPO_DIR/director1.log" | grep -q "configuration rejected, keeping the running one"; }
check "the broken reload is rejected" topo_wait 10 "rejection logged" rejected
check "the error is logged with its position ($conf1:$bad_line:14)" \
  grep -q "reload: $conf1:$bad_line:14: error: priority 999 is outside" "$TOPO_DIR/director1.log"
sleep 2
client_stop
check "director 1 keeps the VIP" topo_has_vip 1
check "director 1 keeps its table (3 real servers, r1 at weight 3)" eval 'three 1 && weight3'
failed=$(count_after "$reload_client" "$t_reload" fail)
check "no request fails during the rejected reload (${failed} failed)" [ "$failed" -eq 0 ]
check "no VRRP transition on either director after the rejected reload" [ "$(transitions 1)" = "$tr1" -a "$(transitions 2)" = "$tr2" ]
cp "$conf1.good" "$conf1"

# --- 7. the MASTER's host dies
# Long-lived keep-alive connections (issue #15) through director 1 from here on: they must survive the unplanned
# failover (director 2 has them synced), the failback (7b), the handover and the way back (7c).
ctl="$TOPO_DIR/conns"; mkdir -p "$ctl"
conns_out="$TOPO_DIR/conns.out"
ip netns exec "$TOPO_NS_C" "$TOPO_PYTHON" -S -u scripts/director/conns.py "$TOPO_VIP" 80 30 "$ctl" --interval "${DIRECTOR_CONNS_INTERVAL:-1}" \
  > "$conns_out" 2>"$conns_out.err" &
conns_pid=$!
check "30 long-lived connections are answered through director 1" topo_wait 60 "30 connections" grep -q "^ready 30" "$conns_out"
# report LABEL — the client's figures as of now (one JSON line, "label": LABEL), in $result.
report() {
  touch "$ctl/report-$1"
  topo_wait 10 "the client's report $1" grep -q "\"label\": \"$1\"" "$conns_out"
  result=$(grep "\"label\": \"$1\"" "$conns_out" | tail -n1)
}
field() { "$TOPO_PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$result" "$1" 2>/dev/null || echo 0; }
sleep 6   # director 2 has each connection synced (the MASTER sends every active one again every 2 s)
results="$TOPO_DIR/client.txt"
( while :; do
    if page=$(topo_get 0.5); then echo "$(topo_now_ms) ok $page"; else echo "$(topo_now_ms) fail"; fi
    sleep 0.1
  done ) > "$results" 2>/dev/null &
client=$!
topo_wait 5 "client running" grep -q ok "$results" || true
t_kill=$(topo_now_ms)
topo_director_kill 1 KILL
ip -n "$(topo_ns_director 1)" link set veth0 down
ip -n "$(topo_ns_director 1)" link set veth1 down
check "director 2 takes the VIP" topo_wait 10 "VIP on director 2" topo_has_vip 2
vip_ms=$(( $(topo_now_ms) - t_kill ))
check "director 2 installs the table with 3 real servers" topo_wait 5 "table on director 2" three 2
check "director 2 (now MASTER) runs the master sync daemon instead of the backup one" \
  topo_wait 5 "master sync daemon on director 2" eval 'topo_sync_daemon 2 master && ! topo_sync_daemon 2 backup'
# The table goes in before the VIP, so the first packet to the VIP finds it (no connection refused).
svc_line=$(grep -n "ipvs: -A -t $TOPO_VIP:80" "$TOPO_DIR/director2.log" | head -n1 | cut -d: -f1)
vip_line=$(grep -n "VI_1: virtual addresses added" "$TOPO_DIR/director2.log" | head -n1 | cut -d: -f1)
before() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }
check "director 2 installs the virtual server before it adds the VIP (log lines ${svc_line:-?} < ${vip_line:-?})" \
  before "$svc_line" "$vip_line"
served_after() { awk -v t="$1" '$1 > t && $2 == "ok"' "$results" | grep -q .; }
check "the client is served again after the takeover" topo_wait 10 "client served" served_after "$t_kill"
sleep 1
kill "$client" 2>/dev/null; wait "$client" 2>/dev/null
failed=$(awk -v t="$t_kill" '$1 >= t && $2 == "fail"' "$results" | wc -l)
gap=$(awk -v t="$t_kill" '$1 >= t && $2 == "ok" { print $1 - t; exit }' "$results")
echo "# takeover: VIP on director 2 after ${vip_ms} ms; ${failed} failed requests; first success ${gap:-?} ms after the kill"
# advert_int 1: Master_Down_Interval ≈ 3.6 s; the client polls every ≈0.1–0.6 s.
check "failed requests during the takeover are bounded (${failed} ≤ 40)" [ "$failed" -le 40 ]
sleep 4
report failover
echo "# failover connections: $result"
answered=$(field answered); survived=$(field survived)
check "every long-lived connection survives the unplanned failover, ≥ 99 % (${survived} of ${answered})" \
  [ "$answered" -ge 30 -a $((survived * 100)) -ge $((answered * 99)) ]

# --- 7b. failback without loss (issue #15)
topo_director_reboot 1
t_back=$(topo_now_ms)
if [ -n "${DIRECTOR_DEBUG_SYNC:-}" ]; then   # diagnostics: director 1's established entries every 0.5 s
  ( for _ in $(seq 80); do
      echo "$(( $(topo_now_ms) - t_back )) d1 $(ip netns exec "$(topo_ns_director 1)" cat /proc/net/ip_vs_conn 2>/dev/null | grep -c ESTABLISHED) d1all $(ip netns exec "$(topo_ns_director 1)" cat /proc/net/ip_vs_conn 2>/dev/null | wc -l) d2 $(ip netns exec "$(topo_ns_director 2)" cat /proc/net/ip_vs_conn 2>/dev/null | grep -c ESTABLISHED)"
      sleep 0.5
    done > "$TOPO_DIR/sync-debug.txt" 2>&1 ) &
fi
TOPO_VIGIL_ARGS="--control unix:$TOPO_DIR/d1.sock" topo_director_start 1 "$conf1"
held() { grep -q "VI_1: failback hold: BACKUP receives the connection state" "$TOPO_DIR/director1.log"; }
check "director 1 returns as BACKUP and holds its preemption (vigil_failback_hold)" topo_wait 30 "the hold logged" held
echo 10 > "$ctl/more"   # opened while director 1 holds: these must survive the failback too
check "director 1 takes the VIP back once its table has settled" topo_wait 90 "VIP on director 1" topo_has_vip 1
back_ms=$(( $(topo_now_ms) - t_back ))
released=$(grep -m1 "VI_1: failback hold released" "$TOPO_DIR/director1.log")
echo "# failback: ${released#*: }; VIP on director 1 ${back_ms} ms after its start"
check "the hold ended because the table settled, not by its timeout" \
  grep -q "VI_1: failback hold released after [0-9.]* s: the connection table has settled" "$TOPO_DIR/director1.log"
synced=$(echo "$released" | sed -n 's/.*(\([0-9]*\) connections).*/\1/p')
check "director 1's table held the 40 connections when the hold ended (${synced:-?} entries)" [ "${synced:-0}" -ge 40 ]
check "director 1 did not preempt while held (hold before MASTER in its log)" \
  before "$(grep -n 'failback hold released' "$TOPO_DIR/director1.log" | head -n1 | cut -d: -f1)" \
         "$(grep -n 'VI_1: BACKUP -> MASTER' "$TOPO_DIR/director1.log" | head -n1 | cut -d: -f1)"
sleep 4
report failback
[ -n "${DIRECTOR_DEBUG_SYNC:-}" ] && sed 's/^/# sync: /' "$TOPO_DIR/sync-debug.txt" | head -60 && grep -E "failback|-> MASTER|start-daemon" "$TOPO_DIR/director1.log" | sed 's/^/# d1: /'

echo "# failback connections: $result"
opened=$(field opened); answered=$(field answered); survived=$(field survived)
check "40 connections were opened and answered (${answered} of ${opened})" [ "$answered" -ge 40 ]
check "every connection survives the failback, ≥ 99 % (${survived} of ${answered})" [ $((survived * 100)) -ge $((answered * 99)) ]

# --- 7c. planned handover with LVS (issue #15): `vigil handover` on director 1 (MASTER, the 40 connections through
# it, synced to director 2): director 2 takes over make-before-break; a ping to the VIP every 10 ms loses nothing and
# every connection lives; director 1 stays BACKUP; `--cancel` gives it back through the failback hold, again
# without loss.
ping_out="$TOPO_DIR/ping.txt"
ip netns exec "$TOPO_NS_C" ping -n -i 0.01 -c 700 -W 1 "$TOPO_VIP" > "$ping_out" 2>&1 &
ping_pid=$!
sleep 1
out=$(ip netns exec "$(topo_ns_director 1)" "$VIGIL_BIN" handover --control "unix:$TOPO_DIR/d1.sock" 2>&1)
check "vigil handover on director 1 answers 'VI_1: handing over' (got '$out')" [ "$out" = "VI_1: handing over" ]
check "director 2 takes the VIP over" topo_wait 10 "VIP on director 2" topo_has_vip 2
check "director 1 lets the VIP go once director 2 advertises" topo_wait 10 "no VIP on director 1" eval '! topo_has_vip 1'
check "director 2 installs the table with 3 real servers" topo_wait 5 "table on director 2" three 2
wait "$ping_pid"
# (No process substitution: the VM's minimal /dev has no /dev/fd.)
ping_counts=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$ping_out" | awk '{ print $1 - $2, $1 }')
ping_lost=${ping_counts% *}; ping_sent=${ping_counts#* }
[ -n "$ping_counts" ] || tail -n 3 "$ping_out" | sed 's/^/# ping: /'
echo "# handover: ${ping_lost:-?} of ${ping_sent:-?} pings to the VIP (every 10 ms) lost"
check "no ping to the VIP is lost across the handover (${ping_lost:-?} of ${ping_sent:-?})" [ "${ping_lost:-1}" -eq 0 -a "${ping_sent:-0}" -ge 600 ]
check "director 1 logs the handover transition" grep -q "VI_1: MASTER -> BACKUP (handover: 10.10.1.12 advertises as MASTER)" "$TOPO_DIR/director1.log"
sleep 2
check "director 1 stays BACKUP after its handover" eval '! topo_has_vip 1'
report handover
echo "# handover connections: $result"
answered=$(field answered); survived=$(field survived)
check "every connection survives the handover, ≥ 99 % (${survived} of ${answered})" [ $((survived * 100)) -ge $((answered * 99)) ]
out=$(ip netns exec "$(topo_ns_director 1)" "$VIGIL_BIN" handover --cancel --control "unix:$TOPO_DIR/d1.sock" 2>&1)
check "vigil handover --cancel answers 'VI_1: resumed' (got '$out')" [ "$out" = "VI_1: resumed" ]
check "director 1 takes the VIP back after the cancel" topo_wait 60 "VIP on director 1" topo_has_vip 1
sleep 3
touch "$ctl/stop"
wait "$conns_pid"
result=$(tail -n1 "$conns_out")
echo "# connections at the end: $result"
answered=$(field answered); survived=$(field survived)
check "every connection survives the way back, ≥ 99 % (${survived} of ${answered})" [ $((survived * 100)) -ge $((answered * 99)) ]

# --- 8. a clean stop puts the kernel's timeouts back (lvs_timeouts), as keepalived's
check "director 2 runs with lvs_timeouts (got '$(topo_timeouts 2)')" [ "$(topo_timeouts 2)" = "7200 60 120" ]
topo_director_kill 2 TERM
stopped2() { ! kill -0 "${TOPO_DIRECTOR_PGID[2]}" 2>/dev/null; }
check "director 2 stops on SIGTERM" topo_wait 20 "director 2 stopped" stopped2
check "the stop restores the kernel's timeouts (got '$(topo_timeouts 2)')" [ "$(topo_timeouts 2)" = "900 120 300" ]
check "director 2's start in BACKUP is mailed (smtp_alert_vrrp)" bash -c "grep -l 'Subject: \[director2\] VRRP instance VI_1: INIT -> BACKUP' $MAIL2_DIR/*.eml"
check "director 2's takeover is mailed (smtp_alert_vrrp)" env MAIL_DIR="$MAIL2_DIR" bash -c "grep -l 'Subject: \[director2\] VRRP instance VI_1: BACKUP -> MASTER' \"\$MAIL_DIR\"/*.eml"
check "director 2's STOP at SIGTERM is mailed before it exits" bash -c "grep -l 'Subject: \[director2\] VRRP instance VI_1: [A-Z]* -> STOP' $MAIL2_DIR/*.eml"
exit 0
