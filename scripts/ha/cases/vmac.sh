#!/usr/bin/env bash
# use_vmac as keepalived 2.2.7 runs it (issue #13): each node makes a private-mode macvlan vrrp.VRID on its interface
# with the virtual router MAC (00:00:5e:00:01:VRID, 00:00:5e:00:02:VRID for IPv6), the VIPs go on it and the adverts
# and gratuitous ARPs leave from it, so a takeover moves a MAC address; vmac_xmit_base sends the adverts from the
# base interface. Both roles against keepalived; a crashed run's macvlan is reused. Sourced by scripts/ha/host-tests.sh.

# vmac_conf FILE PRIO VIP [extra lines] — VRRPv3 (advert 1 s) with use_vmac.
vmac_conf() {
  local file=$1 prio=$2 vip=$3; shift 3
  conf "$file" VI_1 "$prio" 3 1 "$vip" use_vmac "$@"
}

# macvlan_of NS NAME — "MODE MAC STATE" of macvlan NAME in NS (empty when there is none).
macvlan_of() {
  ip -n "$1" -d link show dev "$2" 2>/dev/null | awk '
    /link\/ether/ { mac = $2 } /macvlan mode/ { for (i = 1; i <= NF; i++) if ($i == "mode") mode = $(i + 1) }
    /state/ { for (i = 1; i <= NF; i++) if ($i == "state") st = $(i + 1) }
    END { if (mode != "") print mode, mac, st }'
}

# vip_on NS IF ADDR — true when ADDR is on interface IF in NS.
vip_on() { ip -n "$1" addr show dev "$2" 2>/dev/null | grep -qw "inet6\? $3/[0-9]*"; }

# keepalived MASTER (150), Vigil BACKUP (100), both use_vmac. Vigil's macvlan exists while BACKUP (as keepalived's),
# empty; keepalived killed: Vigil's adverts and GARPs leave from 00:00:5e:00:01:33, the VIP is on vrrp.51 (not on
# veth0), and A reaches it through the virtual MAC. SIGTERM: the macvlan is gone and veth0's switches are back.
case_vmac_keepalived_master_vigil_backup() {
  vmac_conf "$LAB_DIR/a.conf" 150 10.9.0.100/24
  vmac_conf "$LAB_DIR/b.conf" 100 10.9.0.100/24
  local ignore_before; ignore_before=$(ip netns exec "$NS_B" cat /proc/sys/net/ipv4/conf/veth0/arp_ignore)
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"; local vb=$LAST_PGID
  lab_wait_log "$LAB_DIR/vb.log" "use_vmac vrrp.51 on veth0 with 00:00:5e:00:01:33 created" 5 \
    || fail "no log line for the macvlan"
  vip_on "$NS_A" vrrp.51 10.9.0.100 || lab_wait_log "$LAB_DIR/ka.log" "Entering MASTER STATE" 8 \
    || fail "keepalived did not become MASTER"
  [ "$(macvlan_of "$NS_B" vrrp.51)" = "private 00:00:5e:00:01:33 UP" ] \
    || fail "Vigil's macvlan is '$(macvlan_of "$NS_B" vrrp.51)', keepalived's '$(macvlan_of "$NS_A" vrrp.51)'"
  [ "$(ip netns exec "$NS_B" cat /proc/sys/net/ipv4/conf/veth0/arp_ignore)" = 1 ] || fail "veth0's arp_ignore is not 1"
  [ "$(ip netns exec "$NS_B" cat /proc/sys/net/ipv6/conf/vrrp.51/disable_ipv6)" = 1 ] || fail "IPv6 is on on vrrp.51"
  sleep 4.5
  grep -q "FAULT" "$LAB_DIR/vb.log" && fail "an instance went through FAULT for its own macvlan: $(grep FAULT "$LAB_DIR/vb.log")"
  grep -q "BACKUP -> MASTER" "$LAB_DIR/vb.log" && fail "Vigil became MASTER while keepalived advertised from its macvlan"
  vip_on "$NS_B" vrrp.51 10.9.0.100 && fail "Vigil (backup) holds the VIP"
  lab_kill "$ka"
  ip -n "$NS_A" link del vrrp.51 2>/dev/null   # the crashed keepalived's macvlan (and VIP) go with it
  ip netns exec "$NS_S" tcpdump -l -n -e -i br0 "vrrp or arp" > "$LAB_DIR/frames.txt" 2>/dev/null &
  local cap=$!   # started after keepalived's end: every frame from the virtual MAC is Vigil's
  lab_wait_vip "$NS_B" 10.9.0.100 6 absent   # lab_has_vip looks at veth0 only
  local end=$(( $(date +%s) + 6 ))
  until vip_on "$NS_B" vrrp.51 10.9.0.100 || [ "$(date +%s)" -ge $end ]; do sleep 0.05; done
  vip_on "$NS_B" vrrp.51 10.9.0.100 || fail "Vigil did not put the VIP on vrrp.51"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "the VIP is on veth0 too"
  ip -n "$NS_A" neigh flush dev veth0
  ip netns exec "$NS_A" busybox ping -c 2 -W 1 10.9.0.100 >/dev/null 2>&1 || fail "the VIP does not answer A"
  sleep 1.2
  kill "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
  # (The reply's own ARP request then leaves veth0 with the VIP as sender, which repoints A's entry at veth0's MAC;
  # keepalived's does the same in this lab, where the VIP shares veth0's subnet.)
  grep -q "00:00:5e:00:01:33 > .*ARP.*Reply 10.9.0.100 is-at 00:00:5e:00:01:33" "$LAB_DIR/frames.txt" \
    || fail "A's ARP request for the VIP was not answered with the virtual MAC: $(grep 'who-has 10.9.0.100 tell 10.9.0.1' -A1 "$LAB_DIR/frames.txt")"
  grep -q "^.*00:00:5e:00:01:33 > 01:00:5e:00:00:12.* 10.9.0.2 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 100" \
    "$LAB_DIR/frames.txt" || fail "no advert from 00:00:5e:00:01:33 with source 10.9.0.2: $(grep -i vrrp "$LAB_DIR/frames.txt" | tail -2)"
  grep -q "00:00:5e:00:01:33 > ff:ff:ff:ff:ff:ff.*ARP.*who-has 10.9.0.100 .*tell 10.9.0.100" "$LAB_DIR/frames.txt" \
    || fail "no gratuitous ARP from the virtual MAC: $(grep ARP "$LAB_DIR/frames.txt" | head -2)"
  lab_term vb "$vb" || fail "Vigil did not exit on SIGTERM"
  [ -z "$(macvlan_of "$NS_B" vrrp.51)" ] || fail "Vigil left vrrp.51 behind"
  [ "$(ip netns exec "$NS_B" cat /proc/sys/net/ipv4/conf/veth0/arp_ignore)" = "$ignore_before" ] \
    || fail "veth0's arp_ignore was not restored"
  true
}

# Vigil MASTER (150), keepalived BACKUP (100), both use_vmac: keepalived hears Vigil's macvlan adverts and stays
# BACKUP. Vigil SIGKILLed (its macvlan stays, with the VIP): keepalived takes over; Vigil started again reuses the
# macvlan, removes the leftover VIP at once, and preempts.
case_vmac_vigil_master_keepalived_backup() {
  vmac_conf "$LAB_DIR/a.conf" 150 10.9.0.100/24
  vmac_conf "$LAB_DIR/b.conf" 100 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  local end=$(( $(date +%s) + 8 ))
  until vip_on "$NS_A" vrrp.51 10.9.0.100 || [ "$(date +%s)" -ge $end ]; do sleep 0.05; done
  vip_on "$NS_A" vrrp.51 10.9.0.100 || fail "Vigil did not put the VIP on vrrp.51 at start"
  sleep 4.5
  grep -q "Entering MASTER STATE" "$LAB_DIR/kb.log" && fail "keepalived became MASTER while Vigil advertised"
  lab_kill "$va"
  end=$(( $(date +%s) + 6 ))
  until vip_on "$NS_B" vrrp.51 10.9.0.100 || [ "$(date +%s)" -ge $end ]; do sleep 0.05; done
  vip_on "$NS_B" vrrp.51 10.9.0.100 || fail "keepalived did not take over"
  vip_on "$NS_A" vrrp.51 10.9.0.100 || fail "setup: the killed Vigil's VIP is not left on its macvlan"
  lab_start_vigil "$NS_A" va2 "$LAB_DIR/a.conf"
  lab_wait_log "$LAB_DIR/va2.log" "use_vmac vrrp.51 on veth0 with 00:00:5e:00:01:33 reused" 5 \
    || fail "the leftover macvlan was not reused"
  lab_wait_log "$LAB_DIR/va2.log" "removed 10.9.0.100/24 from vrrp.51" 3 || fail "the leftover VIP was not removed"
  lab_wait_log "$LAB_DIR/va2.log" "BACKUP -> MASTER" 6 || fail "the returning Vigil (150) did not preempt"
  vip_on "$NS_A" vrrp.51 10.9.0.100 || fail "the returning Vigil's VIP is not on vrrp.51"
  lab_wait_log "$LAB_DIR/kb.log" "Entering BACKUP STATE" 3 || fail "keepalived did not go back to BACKUP"
  true
}

# vmac_xmit_base, Vigil MASTER and keepalived BACKUP: the adverts leave from veth0's own MAC, the gratuitous ARPs
# from the virtual MAC; keepalived stays BACKUP.
case_vmac_xmit_base() {
  vmac_conf "$LAB_DIR/a.conf" 150 10.9.0.100/24 vmac_xmit_base
  vmac_conf "$LAB_DIR/b.conf" 100 10.9.0.100/24 vmac_xmit_base
  local mac; mac=$(ip -n "$NS_A" link show dev veth0 | awk '/link\/ether/ { print $2 }')
  ip netns exec "$NS_S" tcpdump -l -n -e -i br0 "vrrp or arp" > "$LAB_DIR/frames.txt" 2>/dev/null &
  local cap=$!
  sleep 0.5
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_log "$LAB_DIR/va.log" "adverts on veth0 (vmac_xmit_base)" 5 || fail "no log line for vmac_xmit_base"
  local end=$(( $(date +%s) + 8 ))
  until vip_on "$NS_A" vrrp.51 10.9.0.100 || [ "$(date +%s)" -ge $end ]; do sleep 0.05; done
  vip_on "$NS_A" vrrp.51 10.9.0.100 || fail "Vigil did not put the VIP on vrrp.51"
  sleep 4.5
  kill "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
  grep -q "Entering MASTER STATE" "$LAB_DIR/kb.log" && fail "keepalived became MASTER beside Vigil"
  grep -q "^.*$mac > 01:00:5e:00:00:12.*10.9.0.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 150" \
    "$LAB_DIR/frames.txt" || fail "no advert from veth0's MAC $mac: $(grep -i vrrp "$LAB_DIR/frames.txt" | tail -2)"
  grep -q "00:00:5e:00:01:33 > 01:00:5e:00:00:12" "$LAB_DIR/frames.txt" && fail "an advert left from the virtual MAC"
  grep -q "00:00:5e:00:01:33 > ff:ff:ff:ff:ff:ff.*ARP" "$LAB_DIR/frames.txt" \
    || fail "no gratuitous ARP from the virtual MAC"
  true
}

# IPv6: keepalived MASTER and Vigil BACKUP with use_vmac; Vigil's macvlan has 00:00:5e:00:02:33 and veth0's
# link-local address (adverts come from it); after keepalived's SIGKILL Vigil's adverts leave from the macvlan.
case_vmac_ipv6() {
  vmac_conf "$LAB_DIR/a.conf" 150 fd00:9::100/64
  vmac_conf "$LAB_DIR/b.conf" 100 fd00:9::100/64
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"; local vb=$LAST_PGID
  lab_wait_log "$LAB_DIR/vb.log" "use_vmac vrrp.51 on veth0 with 00:00:5e:00:02:33 created" 5 \
    || fail "no log line for the IPv6 macvlan"
  local ll; ll=$(ip -n "$NS_B" -6 addr show dev veth0 scope link | awk '/inet6/ { sub("/.*", "", $2); print $2 }')
  ip -n "$NS_B" -6 addr show dev vrrp.51 | grep -q "$ll" || fail "vrrp.51 lacks veth0's link-local $ll"
  lab_wait_log "$LAB_DIR/ka.log" "Entering MASTER STATE" 8 || fail "keepalived did not become MASTER"
  sleep 4.5
  grep -q "BACKUP -> MASTER" "$LAB_DIR/vb.log" && fail "Vigil became MASTER while keepalived advertised"
  ip netns exec "$NS_S" tcpdump -l -n -e -i br0 "ip6 proto 112" > "$LAB_DIR/frames.txt" 2>/dev/null &
  local cap=$!
  sleep 0.5
  lab_kill "$ka"
  ip -n "$NS_A" link del vrrp.51 2>/dev/null
  local end=$(( $(date +%s) + 6 ))
  until vip_on "$NS_B" vrrp.51 fd00:9::100 || [ "$(date +%s)" -ge $end ]; do sleep 0.05; done
  vip_on "$NS_B" vrrp.51 fd00:9::100 || fail "Vigil did not put the IPv6 VIP on vrrp.51"
  sleep 1.2
  kill "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
  grep -q "00:00:5e:00:02:33 > 33:33:00:00:00:12.*$ll > ff02::12: VRRPv3, Advertisement, vrid 51, prio 100" \
    "$LAB_DIR/frames.txt" || fail "no advert from 00:00:5e:00:02:33 and $ll: $(tail -2 "$LAB_DIR/frames.txt")"
  lab_term vb "$vb" || fail "Vigil did not exit on SIGTERM"
  [ -z "$(macvlan_of "$NS_B" vrrp.51)" ] || fail "Vigil left vrrp.51 behind"
  true
}

# A lone Vigil MASTER reloaded (SIGHUP) with use_vmac: the VIP moves from veth0 to the new vrrp.51, with no FAULT;
# reloaded without it: vrrp.51 is deleted and the VIP is back on veth0.
case_vmac_reload() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 1 10.9.0.100/24
  vmac_conf "$LAB_DIR/a-vmac.conf" 150 10.9.0.100/24
  cp "$LAB_DIR/a.conf" "$LAB_DIR/run.conf"
  lab_start_vigil "$NS_A" va "$LAB_DIR/run.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP at start"
  cp "$LAB_DIR/a-vmac.conf" "$LAB_DIR/run.conf"
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  local end=$(( $(date +%s) + 8 ))
  until vip_on "$NS_A" vrrp.51 10.9.0.100 || [ "$(date +%s)" -ge $end ]; do sleep 0.05; done
  vip_on "$NS_A" vrrp.51 10.9.0.100 || fail "after the reload with use_vmac the VIP is not on vrrp.51"
  lab_has_vip "$NS_A" 10.9.0.100 && fail "the VIP stayed on veth0"
  grep -q "FAULT" "$LAB_DIR/va.log" && fail "the reload went through FAULT: $(grep FAULT "$LAB_DIR/va.log")"
  cp "$LAB_DIR/a.conf" "$LAB_DIR/run.conf"
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  lab_wait_log "$LAB_DIR/va.log" "use_vmac: deleted vrrp.51" 5 || fail "vrrp.51 was not deleted by the reload without use_vmac"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "the VIP did not come back to veth0"
  [ -z "$(macvlan_of "$NS_A" vrrp.51)" ] || fail "vrrp.51 is still there"
  true
}

# vmac_prefix vk, and the names made for unnamed macvlans as keepalived 2.2.7 makes them: two instances with VRID 51
# (IPv4 and IPv6) on one interface. keepalived (A) and Vigil (B) with the same file make the same names (vk.51 and
# vk6.51), each with its virtual router MAC.
case_vmac_prefix_names() {
  conf "$LAB_DIR/x.part" VI_4 100 3 1 10.9.0.100/24 use_vmac
  conf "$LAB_DIR/y.part" VI_6 100 3 1 fd00:9::100/64 use_vmac
  { printf 'global_defs {\n    vmac_prefix vk\n}\n'; cat "$LAB_DIR/x.part" "$LAB_DIR/y.part"; } >"$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/a.conf"
  local ns name mac
  for ns in "$NS_A" "$NS_B"; do
    for name in vk.51:00:00:5e:00:01:33 vk6.51:00:00:5e:00:02:33; do
      mac=${name#*:}; name=${name%%:*}
      local end=$(( $(date +%s) + 8 ))
      until [ -n "$(macvlan_of "$ns" "$name")" ] || [ "$(date +%s)" -ge $end ]; do sleep 0.1; done
      macvlan_of "$ns" "$name" | grep -q " $mac " \
        || fail "$ns: $name is '$(macvlan_of "$ns" "$name")', expected a macvlan with $mac"
    done
  done
  ip -n "$NS_B" link show dev vrrp.51 >/dev/null 2>&1 && fail "Vigil made vrrp.51 despite vmac_prefix"
  true
}

ALL_CASES+=(case_vmac_keepalived_master_vigil_backup case_vmac_vigil_master_keepalived_backup case_vmac_xmit_base
            case_vmac_ipv6 case_vmac_reload case_vmac_prefix_names)

# ipvlan_of NS NAME — "MODE FLAGS MAC" of ipvlan NAME in NS (empty when there is none).
ipvlan_of() {
  ip -n "$1" -d link show dev "$2" 2>/dev/null | awk '
    /link\/ether/ { mac = $2 } /ipvlan / { for (i = 1; i <= NF; i++) if ($i == "mode") { mode = $(i + 1); fl = $(i + 2) } }
    END { if (mode != "") print mode, fl, mac }'
}

# use_ipvlan in both roles against keepalived 2.2.7: each node makes an L2 ipvlan (bridge) with its own address,
# which the adverts come from; the VIP goes on the MASTER's base interface (where keepalived puts it). Vigil MASTER (150),
# keepalived BACKUP (100); SIGTERM Vigil: keepalived takes over, Vigil's ipvlan is gone; Vigil back as BACKUP
# (priority 90) follows keepalived; the VIP is reached from the other side.
case_ipvlan_both_roles() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 1 10.9.0.100/24 "use_ipvlan ipv51 10.9.0.51/24"
  conf "$LAB_DIR/b.conf" VI_1 100 3 1 10.9.0.100/24 "use_ipvlan ipv51 10.9.0.52/24 bridge"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  local end=$(( $(date +%s) + 15 ))
  until vip_on "$NS_A" veth0 10.9.0.100 || [ "$(date +%s)" -ge "$end" ]; do sleep 0.05; done
  vip_on "$NS_A" veth0 10.9.0.100 || fail "Vigil did not take the VIP"
  vip_on "$NS_A" ipv51 10.9.0.100 && fail "Vigil put the VIP on its ipvlan (keepalived keeps it on the base)"
  local a_mode; a_mode=$(ipvlan_of "$NS_A" ipv51)
  echo "    Vigil's ipvlan: $a_mode; keepalived's: $(ipvlan_of "$NS_B" ipv51)"
  case "$a_mode" in "l2 bridge "*) ;; *) fail "Vigil's ipvlan is not L2 bridge: $a_mode" ;; esac
  [ "${a_mode##* }" = "$(ip -n "$NS_A" -br link show veth0 | awk '{print $3}')" ] || fail "the ipvlan does not share veth0's MAC"
  ip -n "$NS_A" addr show dev ipv51 | grep -q "inet 10.9.0.51/24" || fail "the ipvlan has not its address"
  sleep 3
  vip_on "$NS_B" veth0 10.9.0.100 && fail "keepalived holds the VIP too"
  grep -q "(VI_1) Entering BACKUP STATE" "$LAB_DIR/kb.log" || fail "keepalived is not BACKUP"
  ip netns exec "$NS_B" ping -c 2 -W 1 -I veth0 10.9.0.100 >/dev/null || fail "the VIP on Vigil's ipvlan does not answer"
  capture_start "$LAB_DIR/vrrp.txt" "ip proto 112"
  sleep 2.2
  capture_stop
  grep -q "10.9.0.51 > 224.0.0.18: VRRPv3" "$LAB_DIR/vrrp.txt" || fail "Vigil's adverts do not come from the ipvlan's address: $(head -2 "$LAB_DIR/vrrp.txt")"
  lab_term va "$va" || fail "Vigil did not exit on SIGTERM"
  end=$(( $(date +%s) + 5 ))
  until vip_on "$NS_B" veth0 10.9.0.100 || [ "$(date +%s)" -ge "$end" ]; do sleep 0.05; done
  vip_on "$NS_B" veth0 10.9.0.100 || fail "keepalived did not take over on Vigil's priority 0: $(ip -n "$NS_B" -br addr | tr '\n' ';')"
  [ -z "$(ipvlan_of "$NS_A" ipv51)" ] || fail "Vigil left its ipvlan behind"
  conf "$LAB_DIR/c.conf" VI_1 90 3 1 10.9.0.100/24 "use_ipvlan 10.9.0.53/24"
  lab_start_vigil "$NS_A" vc "$LAB_DIR/c.conf"
  lab_wait_log "$LAB_DIR/vc.log" "use_ipvlan vrrp.51 on veth0 created with 10.9.0.53/24" 15 || fail "the unnamed ipvlan is not vrrp.51"
  lab_wait_log "$LAB_DIR/vc.log" "INIT -> BACKUP" 10 || fail "Vigil did not start"
  sleep 5
  vip_on "$NS_A" veth0 10.9.0.100 && fail "Vigil (90) took the VIP from keepalived (100)"
  grep -q "BACKUP -> MASTER" "$LAB_DIR/vc.log" && fail "Vigil became MASTER: keepalived's adverts were not read"
  true
}

# Not in ALL_CASES: the host tier's kernel here has no ipvlan driver; `make test-vm-ha-kernel` runs it in the VM tier.
VM_CASES+=(case_ipvlan_both_roles)
