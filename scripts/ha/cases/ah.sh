#!/usr/bin/env bash
# auth_type AH against keepalived 2.2.7 (issue #13): VRRPv2 in an IP Authentication Header (HMAC-MD5-96 keyed with
# auth_pass, the sender's address as SPI, one anti-replay sequence counter per instance). Each role keeps one
# MASTER; a node that takes over continues the sequence its peer saw, so the returning node's adverts are accepted
# once it has learnt it; a replayed advert and a different auth_pass are dropped. Sourced by scripts/ha/host-tests.sh.

# ah_conf FILE PRIO [PASS] — a VRRPv2 instance at 1 s with auth_type AH (default auth_pass ahsecret).
ah_conf() {
  conf "$1" VI_1 "$2" 2 1 10.9.0.100/24
  sed -i "s/auth_type PASS/auth_type AH/; s/auth_pass s3cret/auth_pass ${3:-ahsecret}/" "$1"
  grep -q "auth_type AH" "$1" || fail "setup: no AH in $1"
}

# keepalived MASTER (150) and Vigil BACKUP (100): Vigil accepts keepalived's AH adverts (no takeover while it
# advertises, nothing discarded), takes over after SIGKILL sending AH, and yields again when keepalived returns
# (keepalived accepts Vigil's sequence numbers, learns them, and preempts with higher ones that Vigil accepts).
case_ah_keepalived_master_vigil_backup() {
  ah_conf "$LAB_DIR/a.conf" 150
  ah_conf "$LAB_DIR/b.conf" 100
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP at start"
  sleep 4.5   # past Vigil's master-down interval: it must have accepted keepalived's adverts
  lab_has_vip "$NS_B" 10.9.0.100 && fail "two MASTERs: Vigil did not accept keepalived's AH adverts"
  grep -q "discarded advert" "$LAB_DIR/vb.log" && fail "Vigil discarded keepalived's adverts: $(grep -m3 discarded "$LAB_DIR/vb.log")"
  capture_start "$LAB_DIR/ah.txt" "ip proto 51"
  lab_kill "$ka"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "Vigil did not take over after SIGKILL"
  sleep 1.2
  capture_stop
  grep -q "10.9.0.2 > 224.0.0.18: AH(spi=0x0a090002" "$LAB_DIR/ah.txt" \
    || fail "no AH advert from Vigil on the wire: $(head -3 "$LAB_DIR/ah.txt")"
  lab_start_keepalived "$NS_A" ka2 "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_B" 10.9.0.100 10 absent || fail "Vigil did not yield to the returning keepalived (150)"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "keepalived did not take the VIP back"
  grep -q "IPSEC-AH : invalid" "$LAB_DIR/ka2.log" && fail "keepalived found Vigil's ICV invalid"
  lab_wait_log "$LAB_DIR/vb.log" "MASTER -> BACKUP (higher priority advert: priority 150 from 10.9.0.1)" 2 || fail "no yield logged"
  true
}

# Vigil MASTER (150) and keepalived BACKUP (100): keepalived accepts Vigil's AH adverts; a replayed advert (valid
# HMAC, old sequence number, priority 254) leaves Vigil MASTER and is counted; SIGKILL → keepalived takes over;
# Vigil restarted learns keepalived's sequence and preempts; SIGTERM → priority 0 accepted, keepalived takes over
# within about the skew time.
case_ah_vigil_master_keepalived_backup() {
  ah_conf "$LAB_DIR/a.conf" 150
  ah_conf "$LAB_DIR/b.conf" 100
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP at start"
  sleep 4.5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "two MASTERs: keepalived did not accept Vigil's AH adverts"
  grep -q "Entering MASTER STATE" "$LAB_DIR/kb.log" && fail "keepalived became MASTER while Vigil advertised"
  grep -q "IPSEC-AH : invalid" "$LAB_DIR/kb.log" && fail "keepalived found Vigil's ICV invalid"
  ip netns exec "$NS_B" python3 "$HERE/inject-ah.py" 10.9.0.2 ahsecret 1 254 || fail "injector failed"
  lab_wait_log "$LAB_DIR/va.log" "AH sequence number 1 already seen (replay)" 3 || fail "the replay was not discarded as one"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "a replayed advert made Vigil give up the VIP"
  lab_kill "$va"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "keepalived did not take over after SIGKILL"
  ip -n "$NS_A" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  lab_start_vigil "$NS_A" va2 "$LAB_DIR/a.conf"; local va2=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 10 || fail "the restarted Vigil (150) did not preempt keepalived"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "keepalived kept the VIP beside the restarted Vigil"
  sleep 1.5
  local t0; t0=$(date +%s%N)
  lab_term va2 "$va2" || fail "Vigil did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "keepalived did not take over after Vigil's priority 0"
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "    takeover after SIGTERM ${ms} ms (skew 609 ms)"
  [ "$ms" -le 1500 ] || fail "keepalived ignored Vigil's priority-0 AH advert (took ${ms} ms)"
  true
}

# Different auth_pass on each side: both drop the other's adverts (keepalived "invalid IPSEC HMAC-MD5", Vigil
# "invalid AH") and both become MASTER, as two keepalived nodes would.
case_ah_wrong_password() {
  ah_conf "$LAB_DIR/a.conf" 150 onepass
  ah_conf "$LAB_DIR/b.conf" 100 otherpas
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP"
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "keepalived accepted adverts keyed with another auth_pass"
  lab_wait_log "$LAB_DIR/va.log" "invalid AH (HMAC-MD5 or SPI)" 3 || fail "Vigil did not report the invalid AH"
  lab_wait_log "$LAB_DIR/kb.log" "IPSEC-AH : invalid" 3 || fail "keepalived did not report Vigil's ICV invalid"
  true
}

ALL_CASES+=(case_ah_keepalived_master_vigil_backup case_ah_vigil_master_keepalived_backup case_ah_wrong_password)
