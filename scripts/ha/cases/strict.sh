#!/usr/bin/env bash
# vrrp_strict as keepalived 2.2.7 runs it (issue #13): the same strict file on both nodes gives one MASTER in both
# roles (authentication is dropped by both; before, Vigil sent PASS and each side discarded the other's adverts:
# two MASTERs), and without accept mode the MASTER's VIPs answer nothing (nftables drops packets to and from them,
# as keepalived's firewall does), with `version 3` + `accept` they answer. Sourced by scripts/ha/host-tests.sh.

# strict_conf FILE PRIO VERSION [extra lines] — conf's instance (v2 carries a PASS authentication block) plus
# global_defs { vrrp_strict }.
strict_conf() {
  local file=$1 prio=$2 ver=$3; shift 3
  conf "$file" VI_1 "$prio" "$ver" 1 10.9.0.100/24 "$@"
  printf 'global_defs {\n    vrrp_strict\n}\n' >> "$file"
}

# answers NS ADDR — true when ADDR answers one ping from NS within a second.
answers() { ip netns exec "$1" busybox ping -c 1 -W 1 "$2" >/dev/null 2>&1; }

# keepalived MASTER (150) and Vigil BACKUP (100), both strict, VRRPv2 with an authentication block both ignore:
# Vigil stays BACKUP. keepalived killed: Vigil takes over, its nftables set holds the VIP and the VIP does not
# answer from B (as it did not answer from A under keepalived). SIGTERM: the VIP and the table are gone.
case_strict_keepalived_master_vigil_backup() {
  strict_conf "$LAB_DIR/a.conf" 150 2
  strict_conf "$LAB_DIR/b.conf" 100 2
  "$VIGIL_BIN" check -f "$LAB_DIR/b.conf" >/dev/null 2>&1 || fail "vigil check refuses the strict file"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"; local vb=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP at start"
  sleep 4.5   # past Vigil's master-down interval (3.6 s): it must have heard keepalived's adverts
  lab_has_vip "$NS_B" 10.9.0.100 && fail "two MASTERs: Vigil (backup) took the VIP beside strict keepalived"
  grep -q "BACKUP -> MASTER" "$LAB_DIR/vb.log" && fail "Vigil became MASTER while keepalived advertised"
  answers "$NS_B" 10.9.0.100 && fail "keepalived's VIP answered (expected its strict-mode drop)"
  lab_kill "$ka"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "Vigil did not take over from strict keepalived"
  lab_wait_log "$LAB_DIR/vb.log" "no_accept: packets to and from 10.9.0.100 are dropped" 2 \
    || fail "no log line for the drop rule"
  ip netns exec "$NS_B" nft list set inet vigil vips4 2>&1 | grep -q "10.9.0.100" \
    || fail "the VIP is not in Vigil's nftables set: $(ip netns exec "$NS_B" nft list ruleset 2>&1 | head -20)"
  answers "$NS_A" 10.9.0.100 && fail "Vigil's VIP answered a ping without accept mode"
  answers "$NS_A" 10.9.0.2 || fail "B's own address stopped answering (the drop must only hit the VIP)"
  lab_term vb "$vb" || fail "Vigil did not exit on SIGTERM"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil left the VIP behind"
  ip netns exec "$NS_B" nft list table inet vigil >/dev/null 2>&1 && fail "Vigil left its nftables table behind"
  true
}

# Vigil MASTER (150) and keepalived BACKUP (100), both strict, VRRPv3 with accept: keepalived stays BACKUP and the
# VIP answers. Vigil killed, then started again without accept: its start deletes what the killed run left, and
# once MASTER again the VIP is dropped.
case_strict_vigil_master_keepalived_backup() {
  strict_conf "$LAB_DIR/a.conf" 150 3 accept
  strict_conf "$LAB_DIR/b.conf" 100 3 accept
  strict_conf "$LAB_DIR/a2.conf" 150 3
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP at start"
  sleep 4.5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "two MASTERs: strict keepalived (backup) took the VIP beside Vigil"
  grep -q "Entering MASTER STATE" "$LAB_DIR/kb.log" && fail "keepalived became MASTER while Vigil advertised"
  answers "$NS_B" 10.9.0.100 || fail "with accept the VIP must answer"
  ip netns exec "$NS_A" nft list table inet vigil >/dev/null 2>&1 && fail "a table was made for an accept-mode instance"
  lab_kill "$va"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "keepalived did not take over"
  ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  # What a crashed strict run leaves: the table with the VIP in its set.
  ip netns exec "$NS_A" nft -f - <<EOF || fail "setup: cannot write a leftover table"
table inet vigil {
  set vips4 { type ipv4_addr; elements = { 10.9.0.77 } }
  chain in { type filter hook input priority -1; policy accept; ip daddr @vips4 drop; }
}
EOF
  lab_start_vigil "$NS_A" va2 "$LAB_DIR/a2.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 6 || fail "returning Vigil (150) did not preempt"
  ip netns exec "$NS_A" nft list set inet vigil vips4 2>&1 | grep -q "10.9.0.77" \
    && fail "the leftover element survived Vigil's start"
  ip netns exec "$NS_A" nft list set inet vigil vips4 2>&1 | grep -q "10.9.0.100" \
    || fail "the VIP is not in the set without accept"
  answers "$NS_B" 10.9.0.100 && fail "without accept the VIP answered"
  true
}

ALL_CASES+=(case_strict_keepalived_master_vigil_backup case_strict_vigil_master_keepalived_backup)
