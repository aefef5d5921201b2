# shellcheck shell=bash
# Addresses and advert checks against keepalived 2.2.7 (issue #13): IPv6 instances are VRRPv3 without `version`.
# Sourced by scripts/ha/host-tests.sh, which provides conf, lab_* and fail.

# conf_noversion FILE NAME PRIO INTERVAL VIP [lines...] — `conf` without the `version` line (nor authentication),
# under `global_defs { vrrp_version 2 }`: the instance's family alone decides its version.
conf_noversion() {
  local file=$1; shift
  conf "$file.part" "$1" "$2" 3 "$3" "$4" "${@:5}"
  { printf 'global_defs {\n    vrrp_version 2\n}\n'; grep -v '^    version ' "$file.part"; } >"$file"
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

ALL_CASES+=(case_ipv6_noversion_vigil_master case_ipv6_noversion_keepalived_master)
