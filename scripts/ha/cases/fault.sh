#!/usr/bin/env bash
# FAULT as keepalived 2.2.7 runs it (issue #13): the primary interface is tracked (link down, or carrier lost, puts
# the instance in FAULT; `dont_track_primary` turns that off), and a `track_interface` reacts to rtnetlink events,
# not to a poll. Sourced by scripts/ha/host-tests.sh, whose helpers (conf, lab_*, fail, capture_*) it uses.

# ms_since T0 — milliseconds since T0 (date +%s%N).
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# fault_vip_absent_within NS ADDR MS — true when ADDR leaves NS's veth0 within MS milliseconds; polls every 5 ms.
fault_vip_absent_within() {
  local end=$(( $(date +%s%N) + $3 * 1000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    lab_has_vip "$1" "$2" || return 0
    sleep 0.005
  done
  return 1
}

# fault_notify_conf FILE PRIO OUT [extra lines] — a VRRPv3 0.1 s instance whose notify_fault and notify record to OUT.
fault_notify_conf() {
  local file=$1 prio=$2 out=$3; shift 3
  conf "$file" VI_1 "$prio" 3 0.1 10.9.0.100/24 \
    "notify_fault \"/bin/sh -c 'echo fault >> $out'\"" "notify \"$PWD/$HERE/notify-record.sh $out\"" "$@"
}

# Vigil MASTER (A, 150) beside keepalived (B, 100). A's veth0 is set down: Vigil enters FAULT (one log line with the
# reason), removes the VIP, runs notify_fault and `notify … FAULT`, and keepalived takes over; `vigil status` shows
# FAULT. Link up: Vigil leaves FAULT to BACKUP and preempts back. Then the same with carrier loss (the bridge's end of
# the veth set down, A's side keeps IFF_UP).
case_fault_vigil_master_link_down() {
  local out="$LAB_DIR/notify.out" t0 ms
  fault_notify_conf "$LAB_DIR/a.conf" 150 "$out"
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  sleep 1
  lab_has_vip "$NS_B" 10.9.0.100 && fail "setup: keepalived (backup) holds the VIP"
  t0=$(date +%s%N)
  ip -n "$NS_A" link set veth0 down
  lab_wait_log "$LAB_DIR/va.log" "VI_1: MASTER -> FAULT (interface veth0 link down)" 2 \
    || fail "no 'MASTER -> FAULT (interface veth0 link down)' line"
  lab_wait_vip "$NS_A" 10.9.0.100 2 absent || fail "the VIP stayed on A in FAULT"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "keepalived did not take over from the faulted Vigil"
  echo "    keepalived took over $(ms_since "$t0") ms after A's link went down"
  lab_wait_log "$out" "^fault$" 2 || fail "notify_fault did not run"
  lab_wait_log "$out" "^INSTANCE VI_1 FAULT 150$" 2 || fail "notify did not get INSTANCE VI_1 FAULT 150"
  ip netns exec "$NS_A" "$VIGIL_BIN" status 2>/dev/null | grep -q FAULT || fail "vigil status does not show FAULT"
  local lines; lines=$(grep -c "VI_1: MASTER -> FAULT" "$LAB_DIR/va.log")
  [ "$lines" = 1 ] || fail "expected one MASTER -> FAULT line, saw $lines"
  sleep 1
  grep -q "VI_1: FAULT -> " "$LAB_DIR/va.log" && fail "Vigil left FAULT while its link was down"
  ip -n "$NS_A" link set veth0 up
  lab_wait_log "$LAB_DIR/va.log" "VI_1: FAULT -> BACKUP (interface veth0 link up)" 3 \
    || fail "no 'FAULT -> BACKUP (interface veth0 link up)' line"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil (150) did not preempt back after its link came up"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "keepalived kept the VIP after Vigil returned"
  local order; order=$(grep -o "VI_1: [A-Z]* -> [A-Z]*" "$LAB_DIR/va.log" | tail -3 | tr '\n' ' ')
  [ "$order" = "VI_1: MASTER -> FAULT VI_1: FAULT -> BACKUP VI_1: BACKUP -> MASTER " ] \
    || fail "transitions were: $order"

  # Carrier loss: A's veth0 stays administratively up, without IFF_RUNNING.
  t0=$(date +%s%N)
  ip -n "$NS_S" link set porta down
  lab_wait_log "$LAB_DIR/va.log" "VI_1: MASTER -> FAULT (interface veth0 link down)" 2 || fail "carrier loss: no FAULT"
  [ "$(grep -c "VI_1: MASTER -> FAULT" "$LAB_DIR/va.log")" = 2 ] || fail "carrier loss did not put Vigil in FAULT"
  lab_wait_vip "$NS_A" 10.9.0.100 2 absent || fail "carrier loss: the VIP stayed on A"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "carrier loss: keepalived did not take over"
  echo "    carrier loss: keepalived took over $(ms_since "$t0") ms later"
  ip -n "$NS_S" link set porta up
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "carrier back: Vigil did not preempt back"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "carrier back: keepalived kept the VIP"
  true
}

# The same with keepalived as the node that faults (A, 150) and Vigil as its peer (B, 100): keepalived enters FAULT
# and releases the VIP, Vigil takes over, and when keepalived's link returns Vigil yields to it; both for the link set
# down and for carrier loss. The peer's takeover time is printed beside the one keepalived needs in the case above.
case_fault_keepalived_master_link_down() {
  local t0
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "keepalived did not take the VIP"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  sleep 1
  lab_has_vip "$NS_B" 10.9.0.100 && fail "setup: Vigil (backup) holds the VIP"
  t0=$(date +%s%N)
  ip -n "$NS_A" link set veth0 down
  lab_wait_log "$LAB_DIR/ka.log" "Entering FAULT STATE" 2 || fail "reference: keepalived did not enter FAULT"
  lab_wait_vip "$NS_A" 10.9.0.100 2 absent || fail "reference: keepalived kept the VIP in FAULT"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "Vigil did not take over from the faulted keepalived"
  echo "    Vigil took over $(ms_since "$t0") ms after keepalived's link went down"
  lab_wait_log "$LAB_DIR/vb.log" "VI_1: BACKUP -> MASTER (master down timer expired" 1 \
    || fail "Vigil's takeover reason is not the master-down timer (no advert can leave a down link)"
  ip -n "$NS_A" link set veth0 up
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "reference: keepalived did not preempt back"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "Vigil did not yield to the returning keepalived"
  lab_wait_log "$LAB_DIR/vb.log" "VI_1: MASTER -> BACKUP (higher priority advert: priority 150" 1 \
    || fail "Vigil did not go back to BACKUP on keepalived's advert"

  t0=$(date +%s%N)
  ip -n "$NS_S" link set porta down
  lab_wait_vip "$NS_A" 10.9.0.100 2 absent || fail "reference: carrier loss did not fault keepalived"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "carrier loss: Vigil did not take over"
  echo "    carrier loss: Vigil took over $(ms_since "$t0") ms later"
  ip -n "$NS_S" link set porta up
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "reference: keepalived did not come back after carrier"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "carrier back: Vigil did not yield"
  true
}

# dont_track_primary: A's link going down does not fault the instance, with Vigil as with keepalived (the reference
# runs first with the same file). The node stays MASTER with its VIP while its link is down.
case_fault_dont_track_primary() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24 dont_track_primary
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "reference: keepalived did not take the VIP"
  ip -n "$NS_A" link set veth0 down
  sleep 1.5
  grep -q "Entering FAULT STATE" "$LAB_DIR/ka.log" && fail "reference: keepalived faulted with dont_track_primary"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "reference: keepalived released the VIP with dont_track_primary"
  lab_kill "$ka"
  ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  ip -n "$NS_A" link set veth0 up
  sleep 0.5

  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  ip -n "$NS_A" link set veth0 down
  sleep 1.5
  grep -q -- "-> FAULT" "$LAB_DIR/va.log" && fail "Vigil went to FAULT with dont_track_primary"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "Vigil released the VIP with dont_track_primary"
  grep -q "dont_track_primary.*not implemented" "$LAB_DIR/va.log" && fail "dont_track_primary still warned as not implemented"
  ip -n "$NS_A" link set veth0 up
  sleep 0.5
  grep -q -- "-> FAULT" "$LAB_DIR/va.log" && fail "Vigil went to FAULT when the link came back"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "Vigil lost the VIP"
  # Without the keyword the same down link faults (so the checks above could fail).
  sed -i '/dont_track_primary/d' "$LAB_DIR/a.conf"
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  lab_wait_log "$LAB_DIR/va.log" "reloaded:" 2 || fail "reload not logged"
  ip -n "$NS_A" link set veth0 down
  lab_wait_log "$LAB_DIR/va.log" "VI_1: MASTER -> FAULT (interface veth0 link down)" 2 \
    || fail "without dont_track_primary the down link did not fault"
  true
}

# track_interface on a second interface (dummy1, one end of a veth pair in A, weight 0): its link going down faults the MASTER at once, from the
# rtnetlink event (the earlier sysfs poll took up to 200 ms); the primary link is up, so the priority-0 adverts go
# out, as many as keepalived sends (counted on the wire with keepalived in the same place first), and the peer takes
# over after its skew time. Five rounds; every one must be under 500 ms (loaded host) and four of them within 60 ms.
case_fault_track_interface_events() {
  # A second link in A: a veth pair inside the namespace (the dummy driver may be missing).
  ip -n "$NS_A" link add dummy1 type veth peer name dummy1p && ip -n "$NS_A" link set dummy1p up \
    && ip -n "$NS_A" link set dummy1 up || { fail "setup: dummy1"; return; }
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24 "track_interface {" "    dummy1" "}"
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24

  # Reference: keepalived in A, counted priority-0 adverts when dummy1 goes down.
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "reference: keepalived did not take the VIP"
  capture_start "$LAB_DIR/ka-vrrp.txt" "ip proto 112 and src 10.9.0.1"
  ip -n "$NS_A" link set dummy1 down
  lab_wait_vip "$NS_A" 10.9.0.100 2 absent || fail "reference: keepalived kept the VIP"
  sleep 0.5
  capture_stop
  local ka_zero; ka_zero=$(grep -c "prio 0," "$LAB_DIR/ka-vrrp.txt")
  echo "    keepalived sent $ka_zero priority-0 advert(s) on entering FAULT"
  lab_kill "$ka"
  ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  ip -n "$NS_A" link set dummy1 up

  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  sleep 1
  local round times=() t0 ms
  for round in 1 2 3 4 5; do
    [ "$round" = 1 ] && capture_start "$LAB_DIR/va-vrrp.txt" "ip proto 112 and src 10.9.0.1"
    t0=$(date +%s%N)
    ip -n "$NS_A" link set dummy1 down
    if fault_vip_absent_within "$NS_A" 10.9.0.100 2000; then ms=$(ms_since "$t0"); else ms=9999; fi
    times+=("$ms")
    [ "$round" = 1 ] && { sleep 0.5; capture_stop; }
    lab_wait_vip "$NS_B" 10.9.0.100 2 || fail "round $round: keepalived did not take over"
    ip -n "$NS_A" link set dummy1 up
    lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "round $round: Vigil did not come back"
    sleep 0.5
  done
  local sorted fourth max
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  fourth=$(echo "$sorted" | sed -n 4p); max=$(echo "$sorted" | tail -1)
  echo "    dummy1 down -> VIP gone: ${times[*]} ms (4th fastest $fourth, max $max)"
  [ "$max" -le 500 ] || fail "a round took $max ms (bound 500 ms)"
  # A 200 ms poll lands under 60 ms in about 3 of 10 rounds; four of five that fast happens to it 3 % of the time.
  [ "$fourth" -le 60 ] || fail "only $(printf '%s\n' "${times[@]}" | awk '$1 <= 60' | wc -l) of 5 rounds within 60 ms: looks like polling, not events"
  lab_wait_log "$LAB_DIR/va.log" "VI_1: MASTER -> FAULT (interface dummy1 link down)" 1 \
    || fail "no 'MASTER -> FAULT (interface dummy1 link down)' line"
  local va_zero; va_zero=$(grep -c "prio 0," "$LAB_DIR/va-vrrp.txt")
  echo "    Vigil sent $va_zero priority-0 advert(s) on entering FAULT"
  [ "$va_zero" -ge 1 ] || fail "Vigil sent no priority-0 advert (its primary link was up)"
  [ "$va_zero" = "$ka_zero" ] || fail "Vigil sent $va_zero priority-0 adverts, keepalived $ka_zero"
  true
}

ALL_CASES+=(case_fault_vigil_master_link_down case_fault_keepalived_master_link_down case_fault_dont_track_primary
            case_fault_track_interface_events)

# The primary interface deleted (a veth pair inside A, so nothing else depends on it): the MASTER enters FAULT and
# the VIP goes with the device. An interface of the same name created again is another
# device, which the instance's socket is not bound to: Vigil warns once and stays in FAULT (keepalived reopens its
# sockets; documented in docs/ha.md) rather than become MASTER beside the real one.
case_fault_primary_deleted() {
  ip -n "$NS_A" link add lan1 type veth peer name lan1p && ip -n "$NS_A" link set lan1p up \
    && ip -n "$NS_A" addr add 10.9.1.1/24 dev lan1 && ip -n "$NS_A" link set lan1 up || { fail "setup: lan1"; return; }
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.1.100/24
  sed -i 's/interface veth0/interface lan1/' "$LAB_DIR/a.conf"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_log "$LAB_DIR/va.log" "VI_1: BACKUP -> MASTER" 5 || fail "Vigil did not become MASTER on lan1"
  ip -n "$NS_A" link del lan1
  # The kernel reports the link down (RTM_NEWLINK) just before RTM_DELLINK: the FAULT line says either.
  lab_wait_log "$LAB_DIR/va.log" "VI_1: MASTER -> FAULT (interface lan1 " 2 || fail "no 'MASTER -> FAULT' line"
  lab_wait_log "$LAB_DIR/va.log" "interface lan1 is deleted" 2 || fail "the deletion was not reported"
  grep -q "no such interface lan1" "$LAB_DIR/va.log" && fail "removing the VIP of a deleted interface was an error"
  ip -n "$NS_A" link add lan1 type veth peer name lan1p && ip -n "$NS_A" link set lan1p up \
    && ip -n "$NS_A" addr add 10.9.1.1/24 dev lan1 && ip -n "$NS_A" link set lan1 up
  lab_wait_log "$LAB_DIR/va.log" "interface lan1 was deleted and exists again" 2 || fail "no warning on re-creation"
  sleep 1
  grep -q "VI_1: FAULT -> " "$LAB_DIR/va.log" && fail "Vigil left FAULT on a re-created interface"
  ip -n "$NS_A" addr show dev lan1 | grep -q 10.9.1.100 && fail "the VIP is on the re-created interface"
  true
}

ALL_CASES+=(case_fault_primary_deleted)

# A sync group whose second member runs on another link (lan2, a veth pair inside A): that link going down puts the
# whole group in FAULT, so the first member's VIP leaves veth0 too; back up, the group returns to MASTER. keepalived
# runs the same file first as the reference (its vrrp_sync_fault).
case_fault_sync_group() {
  ip -n "$NS_A" link add lan2 type veth peer name lan2p && ip -n "$NS_A" link set lan2p up \
    && ip -n "$NS_A" addr add 10.9.2.1/24 dev lan2 && ip -n "$NS_A" link set lan2 up || { fail "setup: lan2"; return; }
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24
  conf "$LAB_DIR/a2.part" VI_2 150 3 0.1 10.9.2.100/24
  sed -e 's/virtual_router_id 51/virtual_router_id 52/' -e 's/interface veth0/interface lan2/' "$LAB_DIR/a2.part" \
    >>"$LAB_DIR/a.conf"
  printf 'vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n' >>"$LAB_DIR/a.conf"
  local who name
  for who in keepalived vigil; do
    if [ "$who" = keepalived ]; then lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; name=ka
    else lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; name=va; fi
    local pg=$LAST_PGID
    lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "$who: VI_1 did not take its VIP"
    ip -n "$NS_A" link set lan2 down
    lab_wait_vip "$NS_A" 10.9.0.100 2 absent || fail "$who: lan2 down did not take VI_1 (same group) to FAULT"
    if [ "$who" = vigil ]; then
      lab_wait_log "$LAB_DIR/va.log" "VI_1: MASTER -> FAULT (sync group G)" 1 || fail "vigil: no 'VI_1: MASTER -> FAULT (sync group G)'"
      lab_wait_log "$LAB_DIR/va.log" "VI_2: MASTER -> FAULT (interface lan2 link down)" 1 || fail "vigil: no VI_2 FAULT line"
    else
      lab_wait_log "$LAB_DIR/ka.log" "Syncing instances to FAULT state" 1 || fail "reference: keepalived did not sync to FAULT"
    fi
    ip -n "$NS_A" link set lan2 up
    lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "$who: the group did not come back to MASTER"
    if [ "$who" = keepalived ]; then
      lab_kill "$pg"
      ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null; ip -n "$NS_A" addr del 10.9.2.100/24 dev lan2 2>/dev/null
    fi
    echo "    $who: the group followed lan2 into FAULT and back"
  done
  true
}

ALL_CASES+=(case_fault_sync_group)
