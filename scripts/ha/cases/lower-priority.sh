#!/usr/bin/env bash
# A MASTER that hears a lower priority (another MASTER, as when a partition heals), as keepalived 2.2.7 answers it
# (issue #13): its own advert at once, and its VIPs announced garp_lower_prio_repeat times (default 5) at once and
# again after garp_lower_prio_delay (default 5 s), so the neighbours that learnt the other node's MAC come back.
# keepalived and Vigil each get the same injected advert; the gratuitous ARPs on the wire are counted for both.
# Sourced by scripts/ha/host-tests.sh.

# lower_garps NS DAEMON NAME — starts DAEMON (vigil|keepalived) as the only node (150, VRRPv2 1 s) in NS, waits out
# its start-up GARPs, injects a priority-100 advert from B and prints "EARLY TOTAL": the node's gratuitous ARPs for
# the VIP within 2 s of the advert and within 7 s.
lower_garps() {
  local ns=$1 daemon=$2 name=$3 mac cap="$LAB_DIR/$3.arp"
  conf "$LAB_DIR/$name.conf" VI_1 150 2 1 10.9.0.100/24
  if [ "$daemon" = vigil ]; then lab_start_vigil "$ns" "$name" "$LAB_DIR/$name.conf"
  else lab_start_keepalived "$ns" "$name" "$LAB_DIR/$name.conf"; fi
  local pgid=$LAST_PGID
  lab_wait_vip "$ns" 10.9.0.100 8 || { fail "$daemon did not take the VIP"; return; }
  sleep 6   # past garp_master_delay's second burst
  mac=$(ip -n "$ns" -br link show veth0 | awk '{print $3}')
  ip netns exec "$NS_S" tcpdump -l -n -e -i br0 arp > "$cap" 2>/dev/null &
  local tcpdump=$!
  sleep 0.5
  ip netns exec "$NS_B" python3 "$HERE/inject-lower.py" 100 || fail "injector failed"
  sleep 2
  local early; early=$(grep -ci "^[0-9:.]* $mac > ff:ff:ff:ff:ff:ff.*who-has 10.9.0.100 .*tell 10.9.0.100" "$cap")
  sleep 5
  kill "$tcpdump" 2>/dev/null; wait "$tcpdump" 2>/dev/null
  local total; total=$(grep -ci "^[0-9:.]* $mac > ff:ff:ff:ff:ff:ff.*who-has 10.9.0.100 .*tell 10.9.0.100" "$cap")
  lab_kill "$pgid"
  ip -n "$ns" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  echo "$early $total"
}

case_lower_priority_advert_garps() {
  local k v
  k=$(lower_garps "$NS_A" keepalived ka)
  v=$(lower_garps "$NS_A" vigil va)
  echo "    gratuitous ARPs after a lower-priority advert (2 s, 7 s): keepalived $k, Vigil $v"
  [ "$v" = "$k" ] || fail "Vigil's announcements ($v) differ from keepalived's ($k)"
  [ "$v" = "5 10" ] || fail "expected 5 at once and 10 in all (garp_lower_prio_repeat 5, delay 5 s), saw $v"
  lab_wait_log "$LAB_DIR/va.log" "advert from 10.9.0.2 with lower priority 100, ours 150: answered with ours" 1 \
    || fail "no log line for the lower-priority advert"
}

ALL_CASES+=(case_lower_priority_advert_garps)
