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

# log_unknown_vrids: Vigil (A, VRID 51) and keepalived (B, VRID 52) on one link, each with the flag, each hearing the
# other's adverts: keepalived logs every one ("Unknown VRID(51)"), Vigil one line per source and VRID per minute.
case_log_unknown_vrids() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_2 150 2 1 10.9.0.200/24
  sed -i 's/virtual_router_id 51/virtual_router_id 52/' "$LAB_DIR/b.conf"
  sed -i '1i global_defs {\n    log_unknown_vrids\n}' "$LAB_DIR/a.conf" "$LAB_DIR/b.conf"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take its VIP"
  lab_wait_vip "$NS_B" 10.9.0.200 8 || fail "keepalived did not take its VIP"
  sleep 4
  lab_wait_log "$LAB_DIR/kb.log" "Unknown VRID(51) received on interface(veth0)" 2 || fail "keepalived did not log VRID 51"
  lab_wait_log "$LAB_DIR/va.log" "advert for VRID 52 on veth0 from 10.9.0.2, which no instance here runs: ignored" 2 \
    || fail "Vigil did not log VRID 52"
  local k v
  k=$(grep -c "Unknown VRID(51)" "$LAB_DIR/kb.log"); v=$(grep -c "advert for VRID 52" "$LAB_DIR/va.log")
  echo "    lines about the other's VRID after ~4 s of adverts: keepalived $k, Vigil $v"
  [ "$v" = 1 ] || fail "Vigil logged $v lines for one source and VRID within a minute"
  true
}

ALL_CASES+=(case_log_unknown_vrids)

# paced_garps NS DAEMON NAME — DAEMON alone in NS with two instances (VRIDs 51 and 52, two VIPs each,
# garp_master_repeat 2, no second block) on veth0 and `garp_group { garp_interval 0.25; interface veth0 }`: both
# become MASTER together. Prints "COUNT MIN_GAP_MS" for the node's gratuitous ARPs in the 4 s after the VIPs are up.
paced_garps() {
  local ns=$1 daemon=$2 name=$3 mac cap="$LAB_DIR/$3.arp" f="$LAB_DIR/$3.conf"
  {
    printf 'garp_group {\n    garp_interval 0.25\n    interface veth0\n}\n'
    local vrid
    for vrid in 51 52; do
      printf 'vrrp_instance VI_%s {\n    state BACKUP\n    interface veth0\n    virtual_router_id %s\n' "$vrid" "$vrid"
      printf '    priority 150\n    advert_int 1\n    garp_master_repeat 2\n    garp_master_delay 0\n'
      printf '    virtual_ipaddress {\n        10.9.0.%s/24\n        10.9.0.%s/24\n    }\n}\n' "$vrid" "$((vrid + 100))"
    done
  } >"$f"
  mac=$(ip -n "$ns" -br link show veth0 | awk '{print $3}')
  ip netns exec "$NS_S" tcpdump -l -n -tt -e -i br0 arp > "$cap" 2>/dev/null &
  local tcpdump=$!
  sleep 0.5
  lab_start "$daemon" "$ns" "$name" "$f"
  local pgid=$LAST_PGID
  lab_wait_vip "$ns" 10.9.0.52 8 || fail "$daemon did not take the VIPs"
  sleep 4
  kill "$tcpdump" 2>/dev/null; wait "$tcpdump" 2>/dev/null
  lab_kill "$pgid"
  grep -i " $mac > ff:ff:ff:ff:ff:ff.*who-has 10.9.0.1*5[12] .*tell 10.9.0.1*5[12]" "$cap" \
    | awk '{ t = $1 * 1000; if (n) { g = t - last; if (min == "" || g < min) min = g } last = t; n++ }
           END { printf "%d %d\n", n, (min == "" ? -1 : min) }'
}

# garp_group paces the gratuitous ARPs of every instance on the interface together, keepalived's way: Vigil and
# keepalived 2.2.7 with the same file, both MASTER for two instances at once; no two ARPs closer than the interval.
# (keepalived sends fewer: a repeat queued while the address already waits is merged into it; Vigil sends them all.)
case_garp_group_paced() {
  local k v
  k=$(paced_garps "$NS_A" keepalived ka)
  v=$(paced_garps "$NS_B" vigil vb)
  echo "    gratuitous ARPs, count and least gap in ms (garp_interval 0.25): keepalived $k, Vigil $v"
  read -r kn kgap <<<"$k"; read -r vn vgap <<<"$v"
  [ "${kn:-0}" -ge 2 ] && [ "${kgap:-0}" -ge 240 ] || fail "keepalived's reference run is not paced as expected: $k"
  [ "${vn:-0}" = 8 ] || fail "Vigil sent ${vn:-0} gratuitous ARPs, expected 2 instances x 2 VIPs x 2"
  [ "${vgap:-0}" -ge 240 ] || fail "two of Vigil's gratuitous ARPs were ${vgap} ms apart, under the 250 ms interval"
  grep -q "not implemented" "$LAB_DIR/vb.log" && fail "Vigil warned: $(grep 'not implemented' "$LAB_DIR/vb.log" | head -1)"
  true
}

ALL_CASES+=(case_garp_group_paced)
