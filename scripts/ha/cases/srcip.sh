# shellcheck shell=bash
# track_src_ip (issue #13): an instance whose configured source address (mcast_src_ip) leaves the interface goes to
# FAULT and gives the VIP up; the address back, it leaves FAULT and (higher priority) takes the VIP again, as
# keepalived.conf(5) says. Address changes come from rtnetlink events. keepalived 2.2.7 itself, in this lab, never
# goes to FAULT for it (its code only acts when the interface's tracked primary address goes and no other replaces
# it): case_track_src_ip_secondary shows it keeping the VIP where Vigil gives it up. Sourced by
# scripts/ha/host-tests.sh.

# srcip_case DAEMON_A DAEMON_B — A (150, mcast_src_ip 10.9.0.11, its only IPv4 address, with track_src_ip) and B
# (100). (The VIP, in the same subnet, goes with the address anyway; the FAULT line is what shows the tracking.)
srcip_case() {
  local a=$1 b=$2
  ip -n "$NS_A" addr del 10.9.0.1/24 dev veth0
  ip -n "$NS_A" addr add 10.9.0.11/24 dev veth0
  conf "$LAB_DIR/a.conf" VI_1 150 3 1 10.9.0.100/24 "mcast_src_ip 10.9.0.11" track_src_ip
  conf "$LAB_DIR/b.conf" VI_1 100 3 1 10.9.0.100/24
  lab_start "$a" "$NS_A" na "$LAB_DIR/a.conf"
  lab_start "$b" "$NS_B" nb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "$a (A) did not take the VIP"
  sleep 2
  lab_has_vip "$NS_B" 10.9.0.100 && fail "$b (B) holds the VIP too"
  local t0; t0=$(date +%s%N)
  ip -n "$NS_A" addr del 10.9.0.11/24 dev veth0
  lab_wait_vip "$NS_A" 10.9.0.100 3 absent || fail "$a kept the VIP after its source address went"
  echo "    $a gave the VIP up $(( ($(date +%s%N) - t0) / 1000000 )) ms after its source address went"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "$b did not take over"
  lab_wait_log "$LAB_DIR/na.log" "MASTER -> FAULT (source address 10.9.0.11 is gone (track_src_ip))" 2 \
    || fail "no FAULT transition naming the source address: $(grep -m1 FAULT "$LAB_DIR/na.log")"
  ip -n "$NS_A" addr add 10.9.0.11/24 dev veth0
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "$a did not take the VIP back once its source address returned"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "$b did not yield"
}

case_track_src_ip_vigil() { srcip_case vigil keepalived; }

# The difference: a secondary source address (A keeps 10.9.0.1) leaving. keepalived 2.2.7 keeps the VIP; Vigil goes
# to FAULT and keepalived takes over.
case_track_src_ip_secondary() {
  local d
  for d in keepalived vigil; do
    ip -n "$NS_A" addr add 10.9.0.11/24 dev veth0
    conf "$LAB_DIR/a.conf" VI_1 150 3 1 10.9.0.100/24 "mcast_src_ip 10.9.0.11" track_src_ip
    conf "$LAB_DIR/b.conf" VI_1 100 3 1 10.9.0.100/24
    lab_start "$d" "$NS_A" "a$d" "$LAB_DIR/a.conf"; local pa=$LAST_PGID
    lab_start_vigil "$NS_B" "b$d" "$LAB_DIR/b.conf"; local pb=$LAST_PGID
    lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "$d did not take the VIP"
    sleep 1
    ip -n "$NS_A" addr del 10.9.0.11/24 dev veth0
    sleep 3
    if lab_has_vip "$NS_A" 10.9.0.100; then echo "    $d: secondary source address gone, VIP kept"; else echo "    $d: secondary source address gone, VIP given up"; fi
    if [ "$d" = keepalived ]; then lab_has_vip "$NS_A" 10.9.0.100 || fail "keepalived 2.2.7 gave the VIP up (the reference changed)"
    else lab_has_vip "$NS_A" 10.9.0.100 && fail "Vigil kept the VIP without its source address"; fi
    lab_kill "$pa"; lab_kill "$pb"; sleep 0.3
    ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null
    ip -n "$NS_B" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  done
}

ALL_CASES+=(case_track_src_ip_vigil case_track_src_ip_secondary)
