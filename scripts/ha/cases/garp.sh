#!/usr/bin/env bash
# Gratuitous ARPs at the transition to MASTER as keepalived 2.2.7 sends them (issue #13): `vrrp_min_garp` in
# global_defs makes it one GARP and no second block 5 s later. The GARPs on the wire are counted for keepalived and
# for Vigil with the same file. Sourced by scripts/ha/host-tests.sh.

# master_garps NS DAEMON NAME — DAEMON (vigil|keepalived) alone in NS (150, VRRPv2 1 s, global_defs { vrrp_min_garp })
# becomes MASTER; prints the node's gratuitous ARPs for the VIP seen from its start until 8 s after the VIP is up.
master_garps() {
  local ns=$1 daemon=$2 name=$3 mac cap="$LAB_DIR/$3.arp" n
  conf "$LAB_DIR/$name.conf" VI_1 150 2 1 10.9.0.100/24
  sed -i '1i global_defs {\n    vrrp_min_garp\n}' "$LAB_DIR/$name.conf"
  mac=$(ip -n "$ns" -br link show veth0 | awk '{print $3}')
  ip netns exec "$NS_S" tcpdump -l -n -e -i br0 arp > "$cap" 2>/dev/null &
  local tcpdump=$!
  sleep 0.5
  if [ "$daemon" = vigil ]; then lab_start_vigil "$ns" "$name" "$LAB_DIR/$name.conf"
  else lab_start_keepalived "$ns" "$name" "$LAB_DIR/$name.conf"; fi
  local pgid=$LAST_PGID
  lab_wait_vip "$ns" 10.9.0.100 8 || fail "$daemon did not take the VIP"
  sleep 8   # past the 5 s of garp_master_delay's second block
  kill "$tcpdump" 2>/dev/null; wait "$tcpdump" 2>/dev/null
  n=$(grep -ci "^[0-9:.]* $mac > ff:ff:ff:ff:ff:ff.*who-has 10.9.0.100 .*tell 10.9.0.100" "$cap")
  lab_kill "$pgid"
  ip -n "$ns" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  echo "$n"
}

case_vrrp_min_garp() {
  local k v
  k=$(master_garps "$NS_A" keepalived ka)
  v=$(master_garps "$NS_A" vigil va)
  echo "    gratuitous ARPs at the transition with vrrp_min_garp (8 s): keepalived $k, Vigil $v"
  [ "$v" = "$k" ] || fail "Vigil sent $v gratuitous ARPs, keepalived $k"
  [ "$v" = 1 ] || fail "expected one gratuitous ARP and no second block, saw $v"
  grep -q "not implemented" "$LAB_DIR/va.log" && fail "Vigil warned: $(grep 'not implemented' "$LAB_DIR/va.log" | head -1)"
  true
}

ALL_CASES+=(case_vrrp_min_garp)
