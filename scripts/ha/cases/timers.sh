#!/usr/bin/env bash
# VRRP timers as keepalived 2.2.7 runs them (issue #13): `down_timer_adverts N` makes the master-down timer N advert
# intervals plus the skew time instead of the RFCs' 3. Proven in both roles against keepalived: the BACKUP that has
# it (Vigil, then keepalived) takes over from a SIGKILLed MASTER after about N intervals, not 3. Sourced by
# scripts/ha/host-tests.sh, whose helpers (conf, lab_*, fail) it uses.

# takeover_ms NS ADDR T0 TIMEOUT_S — milliseconds from T0 (date +%s%N) until ADDR is on NS's veth0 (polls every
# 10 ms); empty when it does not come within TIMEOUT_S.
takeover_ms() {
  local end=$(( $3 + $4 * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    if lab_has_vip "$1" "$2"; then echo $(( ($(date +%s%N) - $3) / 1000000 )); return 0; fi
    sleep 0.01
  done
}

# down_timer_case MASTER_KIND BACKUP_KIND — MASTER (A, 150) and BACKUP (B, 100, down_timer_adverts 6), VRRPv2 with
# advert_int 1. The MASTER's process group is SIGKILLed just after one of its adverts: the BACKUP's master-down
# timer (6 × 1 s + skew 0.61 s, from the last advert) expires 6.0–6.6 s later; with the RFCs' 3 it would be 3.0–3.6 s.
down_timer_case() {
  local mk=$1 bk=$2 t0 ms a_pgid
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24 "down_timer_adverts 6"
  "lab_start_$mk" "$NS_A" a "$LAB_DIR/a.conf"
  a_pgid=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "the $mk MASTER did not take the VIP"
  "lab_start_$bk" "$NS_B" b "$LAB_DIR/b.conf"
  sleep 3
  lab_has_vip "$NS_B" 10.9.0.100 && fail "setup: the $bk BACKUP holds the VIP"
  # Kill right after an advert, so the timer's start is known to within the capture's resolution.
  ip netns exec "$NS_S" timeout 3 tcpdump -l -c 1 -n -i br0 "ip proto 112 and src 10.9.0.1" >/dev/null 2>&1
  t0=$(date +%s%N)
  lab_kill "$a_pgid"
  ms=$(takeover_ms "$NS_B" 10.9.0.100 "$t0" 12)
  [ -n "$ms" ] || fail "the $bk BACKUP did not take over within 12 s"
  echo "    $bk BACKUP with down_timer_adverts 6 took over ${ms} ms after the $mk MASTER's SIGKILL (bound 6000-6609 ms + polling)"
  [ "$ms" -ge 5800 ] || fail "the $bk BACKUP took over after ${ms} ms: before 6 intervals (the RFCs' 3 would be ~3600)"
  [ "$ms" -le 7300 ] || fail "the $bk BACKUP took over after ${ms} ms: later than 6 intervals + skew"
  true
}

# Vigil is the BACKUP with down_timer_adverts 6, keepalived the MASTER.
case_down_timer_adverts_vigil_backup() { down_timer_case keepalived vigil; }
# keepalived is the BACKUP with down_timer_adverts 6, Vigil the MASTER: keepalived's reading of the keyword, the
# reference for Vigil's.
case_down_timer_adverts_keepalived_backup() { down_timer_case vigil keepalived; }

ALL_CASES+=(case_down_timer_adverts_vigil_backup case_down_timer_adverts_keepalived_backup)
