# shellcheck shell=bash
# Addresses and advert checks against keepalived 2.2.7 (issue #13): IPv6 instances are VRRPv3 without `version`,
# the advert VIP-list check (skip_check_adv_addr), the unicast source check (check_unicast_src), mcast_src_ip,
# unicast_ttl and the TTL rule of unicast adverts, vrrp_mcast_group4.
# Sourced by scripts/ha/host-tests.sh, which provides conf, lab_* and fail.

# conf_noversion FILE NAME PRIO INTERVAL VIP [lines...] — `conf` without the `version` line (nor authentication),
# under `global_defs { vrrp_version 2 }`: the instance's family alone decides its version.
conf_noversion() {
  local file=$1; shift
  conf "$file.part" "$1" "$2" 3 "$3" "$4" "${@:5}"
  { printf 'global_defs {\n    vrrp_version 2\n}\n'; grep -v '^    version ' "$file.part"; } >"$file"
}

# vigil_stats NAME — SIGUSR2 to Vigil (started with TMPDIR=$LAB_DIR); prints its keepalived.stats.
vigil_stats() {
  rm -f "$LAB_DIR/keepalived.stats"
  kill -USR2 "$(cat "$LAB_DIR/$1.pid")"
  lab_wait_log "$LAB_DIR/keepalived.stats" "Address List:" 3 || { echo "    (no keepalived.stats from $1)"; return 1; }
  cat "$LAB_DIR/keepalived.stats"
}

# IPv6 without `version` (and vrrp_version 2): Vigil MASTER (A, 150), keepalived BACKUP (B, 100). One MASTER; on
# Vigil's SIGTERM keepalived takes over after the skew time, so it understood Vigil's VRRPv3.
case_ipv6_noversion_vigil_master() {
  conf_noversion "$LAB_DIR/a.conf" VI_6 150 1 fd00:9::100/64
  conf_noversion "$LAB_DIR/b.conf" VI_6 100 1 fd00:9::100/64
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" fd00:9::100 8 || fail "Vigil did not take the IPv6 VIP"
  sleep 5   # more than keepalived's master-down interval (3.6 s)
  lab_has_vip "$NS_B" fd00:9::100 && fail "keepalived holds the IPv6 VIP too: two MASTERs"
  lab_has_vip "$NS_A" fd00:9::100 || fail "Vigil lost the IPv6 VIP"
  grep -q "wrong version" "$LAB_DIR/kb.log" && fail "keepalived says: $(grep -m1 'wrong version' "$LAB_DIR/kb.log")"
  local t0; t0=$(date +%s%N)
  lab_term va "$va" || fail "Vigil did not exit on SIGTERM"
  lab_wait_vip "$NS_B" fd00:9::100 3 || fail "keepalived did not take over after Vigil's priority-0 advert"
  echo "    takeover $(( ($(date +%s%N) - t0) / 1000000 )) ms (skew 609 ms)"
}

# IPv6 without `version`: keepalived MASTER (A, 150), Vigil BACKUP (B, 100). One MASTER; on SIGKILL of keepalived
# Vigil takes over.
case_ipv6_noversion_keepalived_master() {
  conf_noversion "$LAB_DIR/a.conf" VI_6 150 1 fd00:9::100/64
  conf_noversion "$LAB_DIR/b.conf" VI_6 100 1 fd00:9::100/64
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" fd00:9::100 8 || fail "keepalived did not take the IPv6 VIP"
  sleep 5   # more than Vigil's master-down interval (3.6 s)
  lab_has_vip "$NS_B" fd00:9::100 && fail "Vigil holds the IPv6 VIP too: two MASTERs"
  grep -q "discarded advert" "$LAB_DIR/vb.log" && fail "Vigil discarded keepalived's adverts: $(grep -m1 'discarded advert' "$LAB_DIR/vb.log")"
  lab_kill "$ka"
  lab_wait_vip "$NS_B" fd00:9::100 6 || fail "Vigil did not take over the IPv6 VIP"
}

# vip_list_pair_reloaded [LINE...] — keepalived MASTER (A, 150) and Vigil BACKUP (B, 100) with the same VIP; Vigil
# follows. Then keepalived is reloaded with one VIP more, so its adverts list two addresses.
vip_list_pair_reloaded() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 "$@"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  TMPDIR="$LAB_DIR" lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP"
  sleep 5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil holds the VIP before the lists differ"
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 "10.9.0.100/24
        10.9.0.101/24"
  kill -HUP "$(cat "$LAB_DIR/ka.pid")"
  lab_wait_vip "$NS_A" 10.9.0.101 5 || fail "keepalived did not add the second VIP on reload"
}

# The advert lists an address Vigil does not have: dropped (as keepalived drops it), counted in the stats dump,
# warned once; Vigil, hearing no valid advert, becomes MASTER.
case_vip_list_mismatch_dropped() {
  vip_list_pair_reloaded
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "Vigil did not drop the mismatching adverts (it stayed BACKUP)"
  lab_wait_log "$LAB_DIR/vb.log" "advert from 10.9.0.1 dropped: it lists" 2 || fail "no warning about the address list"
  local n; n=$(grep -c "advert from 10.9.0.1 dropped: it lists" "$LAB_DIR/vb.log")
  [ "$n" = 1 ] || fail "the address-list warning was logged $n times, expected once"
  local stats; stats=$(vigil_stats vb)
  echo "$stats" | grep -q "Address List: [1-9]" || fail "address-list drops not counted: $(echo "$stats" | grep 'Address List')"
}

# skip_check_adv_addr: the master Vigil already follows keeps being followed when its list changes.
case_vip_list_mismatch_skip_check() {
  vip_list_pair_reloaded skip_check_adv_addr
  sleep 6   # two master-down intervals
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil became MASTER although skip_check_adv_addr is set"
  grep -q "dropped: it lists" "$LAB_DIR/vb.log" && fail "Vigil dropped adverts with skip_check_adv_addr"
  true
}

# unicast_pair EXTRA_LINE... — keepalived (A, 150) sends unicast to Vigil (B, 100), whose unicast_peer lists
# another address only.
unicast_pair() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.1" "unicast_peer {" "    10.9.0.2" "}"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.2" "unicast_peer {" "    10.9.0.3" "}" "$@"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP"
}

# By default (keepalived's too) a unicast advert from a source outside unicast_peer is accepted.
case_unicast_unlisted_source_accepted() {
  unicast_pair
  sleep 6
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil dropped the unlisted unicast source (it became MASTER)"
  grep -q "not a unicast_peer" "$LAB_DIR/vb.log" && fail "Vigil warned about the source without check_unicast_src"
  true
}

# check_unicast_src: the unlisted source is dropped (warned once), so Vigil becomes MASTER.
case_unicast_unlisted_source_checked() {
  unicast_pair check_unicast_src
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "Vigil accepted the unlisted unicast source with check_unicast_src"
  local n; n=$(grep -c "unicast advert from 10.9.0.1 dropped: it is not a unicast_peer" "$LAB_DIR/vb.log")
  [ "$n" = 1 ] || fail "the unicast-source warning was logged $n times, expected once"
}

# vigil_leads_keepalived — Vigil (A, a.conf) and keepalived (B, b.conf) start while a capture runs; after 5 s
# Vigil alone holds 10.9.0.100; the capture is stopped.
vigil_leads_keepalived() {
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP"
  sleep 5
  capture_stop
  lab_has_vip "$NS_B" 10.9.0.100 && fail "keepalived holds the VIP too: two MASTERs"
}

# mcast_src_ip: Vigil (A, 150) advertises from a secondary address, as keepalived would; keepalived (B, 100) follows.
case_mcast_src_ip() {
  ip -n "$NS_A" addr add 10.9.0.11/24 dev veth0
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24 "mcast_src_ip 10.9.0.11"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  capture_start "$LAB_DIR/vrrp.txt" "ip proto 112"
  vigil_leads_keepalived
  grep -q "10.9.0.11 > 224.0.0.18: VRRP" "$LAB_DIR/vrrp.txt" || fail "no advert from 10.9.0.11 on the wire"
  grep -q "10.9.0.1 > 224.0.0.18: VRRP" "$LAB_DIR/vrrp.txt" && fail "an advert went out from the primary address 10.9.0.1"
  true
}

# IPv6 unicast: keepalived (A, 150) sends its unicast adverts with the kernel's default hop limit (64), which
# keepalived does not check on unicast; neither does Vigil (B, 100), so it stays BACKUP. Then SIGKILL keepalived.
case_ipv6_unicast_keepalived_master() {
  conf "$LAB_DIR/a.conf" VI_6 150 3 1 fd00:9::100/64 "unicast_src_ip fd00:9::1" "unicast_peer {" "    fd00:9::2" "}"
  conf "$LAB_DIR/b.conf" VI_6 100 3 1 fd00:9::100/64 "unicast_src_ip fd00:9::2" "unicast_peer {" "    fd00:9::1" "}"
  capture_start "$LAB_DIR/vrrp.txt" "ip6 proto 112"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" fd00:9::100 8 || fail "keepalived did not take the IPv6 VIP"
  sleep 5
  capture_stop
  grep -m1 "fd00:9::1 > fd00:9::2" "$LAB_DIR/vrrp.txt" | sed 's/^/    wire: /'
  lab_has_vip "$NS_B" fd00:9::100 && fail "Vigil holds the IPv6 VIP too: keepalived's unicast adverts were dropped"
  lab_kill "$ka"
  lab_wait_vip "$NS_B" fd00:9::100 6 || fail "Vigil did not take over"
}

# unicast_ttl 64: Vigil (A, 150) sends its unicast adverts with TTL 64; keepalived (B, 100) accepts them.
case_unicast_ttl() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24 "unicast_ttl 64" "unicast_src_ip 10.9.0.1" "unicast_peer {" "    10.9.0.2" "}"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 "unicast_src_ip 10.9.0.2" "unicast_peer {" "    10.9.0.1" "}"
  ip netns exec "$NS_S" tcpdump -l -n -v -i br0 "ip proto 112" > "$LAB_DIR/vrrp.txt" 2>/dev/null &
  CAPTURE_PID=$!
  sleep 0.5
  vigil_leads_keepalived
  grep -q "ttl 64, .*proto VRRP (112)" "$LAB_DIR/vrrp.txt" || fail "no advert with TTL 64 on the wire: $(head -1 "$LAB_DIR/vrrp.txt")"
  grep -q "ttl 255, .*proto VRRP (112)" "$LAB_DIR/vrrp.txt" && fail "an advert went out with TTL 255"
  true
}

# vrrp_mcast_group4 224.0.0.19 on both: Vigil (A, 150) sends to that group and keepalived (B, 100) follows; no advert
# goes to 224.0.0.18. Then keepalived takes over on Vigil's SIGTERM, so Vigil joined and sent to the same group.
case_vrrp_mcast_group4() {
  local side
  for side in a b; do
    conf "$LAB_DIR/$side.part" VI_1 "$([ $side = a ] && echo 150 || echo 100)" 2 1 10.9.0.100/24
    { printf 'global_defs {\n    vrrp_mcast_group4 224.0.0.19\n}\n'; cat "$LAB_DIR/$side.part"; } >"$LAB_DIR/$side.conf"
  done
  capture_start "$LAB_DIR/vrrp.txt" "ip proto 112"
  vigil_leads_keepalived
  grep -q "10.9.0.1 > 224.0.0.19: VRRP" "$LAB_DIR/vrrp.txt" || fail "no advert from Vigil to 224.0.0.19 on the wire"
  grep -q "> 224.0.0.18: VRRP" "$LAB_DIR/vrrp.txt" && fail "an advert went to 224.0.0.18"
  kill -TERM "$(cat "$LAB_DIR/va.pid")"
  lab_wait_vip "$NS_B" 10.9.0.100 5 || fail "keepalived did not take over on Vigil's priority-0 advert"
}

ALL_CASES+=(case_ipv6_noversion_vigil_master case_ipv6_noversion_keepalived_master case_vip_list_mismatch_dropped
            case_vip_list_mismatch_skip_check case_unicast_unlisted_source_accepted case_unicast_unlisted_source_checked
            case_mcast_src_ip case_ipv6_unicast_keepalived_master case_unicast_ttl
            case_vrrp_mcast_group4)

# mcast_dst_ip 224.0.0.99 in both instances: Vigil (A, 150) sends there and keepalived (B, 100) follows; nothing goes
# to 224.0.0.18; Vigil's SIGTERM hands over.
case_mcast_dst_ip() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24 "mcast_dst_ip 224.0.0.99"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 "mcast_dst_ip 224.0.0.99"
  capture_start "$LAB_DIR/vrrp.txt" "ip proto 112"
  vigil_leads_keepalived
  grep -q "10.9.0.1 > 224.0.0.99: VRRP" "$LAB_DIR/vrrp.txt" || fail "no advert from Vigil to 224.0.0.99 on the wire"
  grep -q "> 224.0.0.18: VRRP" "$LAB_DIR/vrrp.txt" && fail "an advert went to 224.0.0.18"
  kill -TERM "$(cat "$LAB_DIR/va.pid")"
  lab_wait_vip "$NS_B" 10.9.0.100 5 || fail "keepalived did not take over on Vigil's priority-0 advert"
}

ALL_CASES+=(case_mcast_dst_ip)
