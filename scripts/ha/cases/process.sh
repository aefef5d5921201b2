#!/usr/bin/env bash
# vrrp_track_process as keepalived 2.2.7 runs it (issue #13): weight 0 (keepalived's default) puts the instance in
# FAULT while fewer than `quorum` matching processes run, a weight moves the priority. Both daemons run in network
# namespaces here, where the kernel's process events do not reach them: keepalived then sees only the process table
# it read at start (its log says "Failed to set/clear process event listen"), Vigil reads /proc every second instead
# (logged), so the cases compare keepalived at start and use keepalived as the peer for the changes.
# Sourced by scripts/ha/host-tests.sh.

# process_conf FILE PRIO NAME [track lines] — an instance tracking vrrp_track_process tp (process NAME).
# The block comes first: keepalived ignores a track_process entry naming a block defined below it (so does Vigil).
process_conf() {
  local file=$1 prio=$2 name=$3; shift 3
  conf "$file.instance" VI_1 "$prio" 2 1 10.9.0.100/24 "$@"
  { printf 'vrrp_track_process tp {\n    process %s\n}\n' "$name"; cat "$file.instance"; } > "$file"
}

# tracked_start NAME — runs a copy of sleep named NAME (its /proc comm) in its own group; sets TRACKED_PGID.
tracked_start() {
  [ -x "$LAB_DIR/$1" ] || cp /bin/sleep "$LAB_DIR/$1"
  setsid "$LAB_DIR/$1" 600 & TRACKED_PGID=$!
  disown "$TRACKED_PGID" 2>/dev/null
  LAB_PGIDS+=("$TRACKED_PGID")
}

# process_pair REF — the tracked process running, Vigil MASTER (A, 150) tracking it with entry REF, keepalived
# BACKUP (B, 100) untracked; returns when Vigil holds the VIP. Sets TRACKED_PGID.
process_pair() {
  local name="vtp_$LAB_ID"
  tracked_start "$name"
  process_conf "$LAB_DIR/a.conf" 150 "$name" "track_process {" "    $1" "}"
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil (tracked process running) did not take the VIP"
  sleep 2
}

# The process is absent at start: keepalived (the reference) and Vigil both start the instance in FAULT.
case_track_process_absent_at_start() {
  local name="vtp_$LAB_ID"
  process_conf "$LAB_DIR/a.conf" 150 "$name" "track_process {" "    tp" "}"
  cp "$LAB_DIR/a.conf" "$LAB_DIR/b.conf"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_log "$LAB_DIR/ka.log" "entering FAULT state (tracked process tp quorum not achieved)" 5 \
    || fail "keepalived (the reference) did not start in FAULT"
  lab_wait_log "$LAB_DIR/vb.log" "VI_1: INIT -> FAULT" 5 || fail "Vigil did not start in FAULT"
  grep -q "track_process tp: 0 matching processes, quorum not met" "$LAB_DIR/vb.log" || fail "no log line with the count"
  sleep 4
  lab_has_vip "$NS_A" 10.9.0.100 && fail "keepalived took the VIP in FAULT"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil took the VIP in FAULT"
  true
}

# Vigil MASTER (150) tracking a running process at weight 0, keepalived BACKUP (100): the process killed, Vigil goes
# to FAULT and keepalived takes the VIP; started again, Vigil leaves FAULT and preempts.
case_track_process_fault_and_back() {
  local name="vtp_$LAB_ID"
  process_pair tp; local proc=$TRACKED_PGID
  local t0; t0=$(date +%s%N)
  kill -KILL -- "-$proc"
  lab_wait_vip "$NS_A" 10.9.0.100 4 absent || fail "Vigil kept the VIP after its tracked process died"
  echo "    VIP removed $(( ($(date +%s%N) - t0) / 1000000 )) ms after the process died (poll 1 s)"
  grep -q "MASTER -> FAULT" "$LAB_DIR/va.log" || fail "no MASTER -> FAULT line"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "keepalived did not take over"
  tracked_start "$name"
  lab_wait_log "$LAB_DIR/va.log" "FAULT -> BACKUP" 4 || fail "Vigil did not leave FAULT when the process came back"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not preempt back"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "keepalived kept the VIP"
  true
}

# weight -60: Vigil MASTER at 150 drops to 90 when the process dies and keepalived (100) preempts; back to 150.
case_track_process_weight() {
  local name="vtp_$LAB_ID"
  process_pair "tp weight -60"; local proc=$TRACKED_PGID
  kill -KILL -- "-$proc"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "keepalived (100) did not preempt Vigil at 90"
  grep -q "FAULT" "$LAB_DIR/va.log" && fail "a weighted tracker faulted the instance"
  tracked_start "$name"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil (150 again) did not preempt back"
  true
}

ALL_CASES+=(case_track_process_absent_at_start case_track_process_fault_and_back case_track_process_weight)
