#!/usr/bin/env bash
# The planned handover (issue #15): `vigil handover` on the unix-socket control endpoint makes a MASTER send
# priority 0 but keep its VIPs until the new MASTER advertises (make-before-break), then stay BACKUP without
# preempting until `vigil handover --cancel`. Measured with a ping to the VIP every 10 ms from the bridge's
# namespace: no reply is lost during the handover; the same ping across a SIGTERM (priority 0 and the VIPs removed
# at once, as keepalived stops) is printed beside it. A handover asked on the TCP endpoint is refused. Sourced by
# scripts/ha/host-tests.sh, whose helpers (conf, lab_*, fail) it uses.

# ping_vip COUNT OUT — pings 10.9.0.100 every 10 ms from the switch namespace (its bridge gets 10.9.0.3) into OUT,
# in the background (PING_PID).
ping_vip() {
  ip -n "$NS_S" addr add 10.9.0.3/24 dev br0 2>/dev/null
  ip netns exec "$NS_S" ping -D -O -n -i 0.01 -c "$1" -W 1 10.9.0.100 > "$2" 2>&1 &
  PING_PID=$!
}
# ping_lost OUT — "lost sent" from ping's summary.
ping_lost() { sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$1" | awk '{ print $1 - $2, $1 }'; }

case_handover_make_before_break() {
  local sock="$LAB_DIR/a.sock" out lost sent
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  rm -f "$LAB_DIR/a.pid"
  setsid ip netns exec "$NS_A" "$VIGIL_BIN" run -n -l -D --no-syslog -f "$LAB_DIR/a.conf" -p "$LAB_DIR/a.pid" \
    --control "unix:$sock" > "$LAB_DIR/a.log" 2>&1 &
  local a_pgid=$!
  disown "$a_pgid" 2>/dev/null
  LAB_PGIDS+=("$a_pgid")
  lab_wait_vip "$NS_A" 10.9.0.100 8 || { fail "A did not take the VIP"; return; }
  lab_start_vigil "$NS_B" b "$LAB_DIR/b.conf"
  local b_pgid=$LAST_PGID
  sleep 3
  lab_has_vip "$NS_B" 10.9.0.100 && { fail "setup: B holds the VIP"; return; }

  # Refused on TCP: B's endpoint is the default 127.0.0.1:9678.
  local code
  code=$(ip netns exec "$NS_B" curl -s -o "$LAB_DIR/tcp.txt" -w '%{http_code}' -X POST http://127.0.0.1:9678/handover)
  [ "$code" = 403 ] || fail "a handover on the TCP endpoint answered $code, not 403"
  grep -q "served on the unix-socket endpoint" "$LAB_DIR/tcp.txt" || fail "the 403 does not say why: $(cat "$LAB_DIR/tcp.txt")"

  ping_vip 500 "$LAB_DIR/ping-handover.txt"
  sleep 1
  out=$(ip netns exec "$NS_A" "$VIGIL_BIN" handover --control "unix:$sock" 2>&1) || fail "vigil handover failed: $out"
  echo "    vigil handover: $out"
  [ "$out" = "VI_1: handing over" ] || fail "vigil handover printed '$out'"
  lab_wait_vip "$NS_B" 10.9.0.100 4 || fail "B did not take the VIP after the handover"
  lab_wait_vip "$NS_A" 10.9.0.100 4 absent || fail "A kept the VIP after B took over"
  wait "$PING_PID"
  read -r lost sent < <(ping_lost "$LAB_DIR/ping-handover.txt")
  echo "    handover: ${lost:-?} of ${sent:-?} pings (every 10 ms) lost"
  [ "${sent:-0}" -ge 450 ] || fail "the ping sent ${sent:-?} packets"
  [ "${lost:-1}" -eq 0 ] || { fail "${lost} pings lost during the handover (make-before-break should lose none)"; grep -c "no answer yet" "$LAB_DIR/ping-handover.txt"; grep -m3 "no answer yet" "$LAB_DIR/ping-handover.txt"; grep -v "no answer" "$LAB_DIR/ping-handover.txt" | tail -4; grep -h "VI_1" "$LAB_DIR/a.log" "$LAB_DIR/b.log" | sort | tail -12; }
  grep -q "VI_1: MASTER -> BACKUP (handover: 10.9.0.2 advertises as MASTER)" "$LAB_DIR/a.log" \
    || fail "A's log lacks the handover transition"

  # A does not preempt back, until the handover is cancelled.
  sleep 4
  lab_has_vip "$NS_A" 10.9.0.100 && fail "A preempted back after its handover"
  grep -q "VI_1: not preempting 10.9.0.2" "$LAB_DIR/a.log" || fail "A did not log the held preemption"
  out=$(ip netns exec "$NS_A" "$VIGIL_BIN" handover --cancel --control "unix:$sock" 2>&1) || fail "vigil handover --cancel failed: $out"
  [ "$out" = "VI_1: resumed" ] || fail "vigil handover --cancel printed '$out'"
  lab_wait_vip "$NS_A" 10.9.0.100 6 || fail "A did not preempt after the cancel"

  # Beside it, a stop as keepalived stops (SIGTERM: priority 0 and the VIPs removed at once).
  sleep 2
  ping_vip 300 "$LAB_DIR/ping-stop.txt"
  sleep 1
  lab_term a "$a_pgid" || fail "A did not exit on SIGTERM"
  wait "$PING_PID"
  read -r lost sent < <(ping_lost "$LAB_DIR/ping-stop.txt")
  echo "    SIGTERM (as keepalived): ${lost:-?} of ${sent:-?} pings lost (nobody answers until B, told by priority 0, takes over after its Skew_Time, 609 ms)"
  lab_term b "$b_pgid" >/dev/null
  true
}

ALL_CASES+=(case_handover_make_before_break)

# vigil_handover_on_stop: a SIGTERM hands over make-before-break first, here to keepalived (a plain VRRP peer: the
# handover needs nothing of the taker). A lone MASTER (nobody to take over) still stops, within its master-down
# interval.
case_handover_on_stop() {
  local lost sent t0 ms
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  sed -i '1i global_defs {\n    vigil_handover_on_stop\n}' "$LAB_DIR/a.conf"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  lab_start_vigil "$NS_A" a "$LAB_DIR/a.conf"; local a_pgid=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 8 || { fail "A did not take the VIP"; return; }
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"; local kb=$LAST_PGID
  sleep 6   # past A's garp_master_delay burst and keepalived's start
  lab_has_vip "$NS_B" 10.9.0.100 && { fail "setup: keepalived holds the VIP"; return; }
  ping_vip 400 "$LAB_DIR/ping-stop.txt"
  sleep 1
  lab_term a "$a_pgid" || fail "A did not exit on SIGTERM within 5 s"
  wait "$PING_PID"
  read -r lost sent < <(ping_lost "$LAB_DIR/ping-stop.txt")
  echo "    SIGTERM with vigil_handover_on_stop, keepalived taking over: ${lost:-?} of ${sent:-?} pings lost"
  [ "${lost:-1}" -eq 0 ] || fail "${lost} pings lost across the stop (make-before-break should lose none)"
  lab_has_vip "$NS_B" 10.9.0.100 || fail "keepalived does not hold the VIP after A's stop"
  lab_has_vip "$NS_A" 10.9.0.100 && fail "A left the VIP behind"
  grep -q "stopping after the handover of VI_1 (vigil_handover_on_stop)" "$LAB_DIR/a.log" || fail "the stop's handover is not logged"
  grep -q "VI_1: MASTER -> BACKUP (handover: 10.9.0.2 advertises as MASTER)" "$LAB_DIR/a.log" || fail "A's log lacks the handover"
  grep -q "VI_1: BACKUP -> STOP (shutdown)" "$LAB_DIR/a.log" || fail "A's log lacks the stop after the handover"
  # Alone: nobody takes over; the stop ends within the master-down interval (3.6 s) plus slack.
  lab_term kb "$kb" >/dev/null
  lab_start_vigil "$NS_A" a2 "$LAB_DIR/a.conf"; a_pgid=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 8 || { fail "A did not take the VIP alone"; return; }
  t0=$(date +%s%N)
  lab_term a2 "$a_pgid" || fail "the lone A did not exit on SIGTERM within 5 s"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "    lone MASTER with vigil_handover_on_stop stopped in ${ms} ms (master-down interval 3609 ms)"
  grep -q "handover failed: no node advertised as MASTER" "$LAB_DIR/a2.log" || fail "the lone stop does not log that nobody took over"
  lab_has_vip "$NS_A" 10.9.0.100 && fail "the lone A left the VIP behind"
  true
}

ALL_CASES+=(case_handover_on_stop)
