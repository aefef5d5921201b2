# shellcheck shell=bash
# timer_expired_backup (issue #13; keepalived 2.2.8, so tested against keepalived 2.2.7 as the other node, which needs
# no option): a nopreempt MASTER that ran late (here: stopped with SIGSTOP longer than the other node's master-down
# interval) goes to BACKUP when it runs again, instead of taking the VIP back from the node that took over.
# Sourced by scripts/ha/host-tests.sh, which provides conf, lab_* and fail.

# late_master [LINE...] — Vigil (A, 200, nopreempt, LINEs) MASTER, keepalived (B, 100) BACKUP; Vigil is stopped for
# 6 s (keepalived takes over after 3.6 s) and continued. Sets LATE_VA to Vigil's process group.
late_master() {
  conf "$LAB_DIR/a.conf" VI_1 200 2 1 10.9.0.100/24 nopreempt "$@"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; LATE_VA=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  sleep 4
  lab_has_vip "$NS_B" 10.9.0.100 && fail "keepalived took the VIP from a running Vigil"
  kill -STOP -- "-$LATE_VA"
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "keepalived did not take over from the stopped Vigil"
  sleep 2
  kill -CONT -- "-$LATE_VA"
}

case_timer_expired_backup() {
  late_master timer_expired_backup
  lab_wait_log "$LAB_DIR/va.log" "VI_1: MASTER -> BACKUP (no advert sent for .* (timer_expired_backup))" 3 \
    || fail "Vigil did not leave MASTER on waking late: $(grep 'VI_1:' "$LAB_DIR/va.log" | tail -1)"
  lab_wait_vip "$NS_A" 10.9.0.100 3 absent || fail "Vigil kept its VIP"
  sleep 3
  lab_has_vip "$NS_B" 10.9.0.100 || fail "keepalived lost the VIP to the late Vigil"
  lab_has_vip "$NS_A" 10.9.0.100 && fail "Vigil took the VIP back"
  true
}

# The reference: without the option the late MASTER (priority 200) advertises at once and keepalived (100) yields.
case_timer_expired_backup_without() {
  late_master
  lab_wait_vip "$NS_B" 10.9.0.100 5 absent || fail "keepalived kept the VIP against the higher-priority late MASTER"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "Vigil lost its VIP"
  grep -q "timer_expired_backup" "$LAB_DIR/va.log" && fail "Vigil went to BACKUP without the option"
  true
}

ALL_CASES+=(case_timer_expired_backup case_timer_expired_backup_without)
