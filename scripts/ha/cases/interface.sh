#!/usr/bin/env bash
# Instance settings keepalived 2.2.7 applies at start (issue #13): interface switches, unicast without a peer.
# Sourced by scripts/ha/host-tests.sh.

# ps_of NS — the promote_secondaries switch of veth0 in NS.
ps_of() { ip netns exec "$1" cat /proc/sys/net/ipv4/conf/veth0/promote_secondaries; }

# promote_secondaries: keepalived (A, 150, the reference) and Vigil (B, 100) each set the switch on veth0 at start,
# in either role, and put it back to 0 at SIGTERM. With it, Vigil's VIP (a secondary of 10.9.0.0/24) survives the
# deletion of the interface's primary address, which takes every secondary with it when the switch is off.
case_promote_secondaries() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24 promote_secondaries
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 promote_secondaries
  [ "$(ps_of "$NS_A")" = 0 ] && [ "$(ps_of "$NS_B")" = 0 ] || fail "setup: promote_secondaries already on"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"; local vb=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP at start"
  [ "$(ps_of "$NS_A")" = 1 ] || fail "keepalived (the reference) did not set promote_secondaries"
  [ "$(ps_of "$NS_B")" = 1 ] || fail "Vigil (BACKUP) did not set promote_secondaries"
  lab_wait_log "$LAB_DIR/vb.log" "promote_secondaries: set on veth0 until vigil stops" 1 || fail "no log line for the switch"
  lab_term ka "$(cat "$LAB_DIR/ka.pid" 2>/dev/null)" || fail "keepalived did not stop"
  [ "$(ps_of "$NS_A")" = 0 ] || fail "keepalived (the reference) left promote_secondaries on"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "Vigil did not take over"
  ip -n "$NS_B" addr del 10.9.0.2/24 dev veth0 || fail "setup: cannot delete B's primary address"
  sleep 0.3
  lab_has_vip "$NS_B" 10.9.0.100 || fail "the VIP went with the primary address (promote_secondaries not in effect)"
  lab_term vb "$vb" || fail "Vigil did not exit on SIGTERM"
  [ "$(ps_of "$NS_B")" = 0 ] || fail "Vigil left promote_secondaries on after SIGTERM"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil left the VIP behind"
  true
}

ALL_CASES+=(case_promote_secondaries)

# unicast_fault_no_peer with a unicast keyword and no peer: keepalived (A, the reference) and Vigil (B) both keep the
# instance in FAULT and take no VIP; without it, Vigil falls back to multicast as keepalived does (and becomes MASTER
# alone).
case_unicast_fault_no_peer() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.1" unicast_fault_no_peer
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.2" unicast_fault_no_peer
  conf "$LAB_DIR/b2.conf" VI_1 100 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.2"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"; local vb=$LAST_PGID
  lab_wait_log "$LAB_DIR/ka.log" "Cannot use unicast without any peers - going to fault state" 5 \
    || fail "keepalived (the reference) did not go to FAULT"
  lab_wait_log "$LAB_DIR/vb.log" "INIT -> FAULT (unicast without any unicast_peer (unicast_fault_no_peer))" 5 \
    || fail "Vigil did not start in FAULT"
  sleep 4.5   # past both master-down intervals
  lab_has_vip "$NS_A" 10.9.0.100 && fail "keepalived took the VIP in FAULT"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil took the VIP in FAULT"
  lab_kill "$ka"; lab_term vb "$vb" || fail "Vigil did not stop"
  lab_start_vigil "$NS_B" vb2 "$LAB_DIR/b2.conf"
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "without unicast_fault_no_peer Vigil did not fall back to multicast"
  true
}

ALL_CASES+=(case_unicast_fault_no_peer)
