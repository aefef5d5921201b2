# shellcheck shell=bash
# BFD (issue #13, keepalived's bfd_instance and track_bfd): a session between Vigil and keepalived 2.2.7's BFD
# process, single hop (RFC 5881), and a VRRP instance that tracks it. Sourced by scripts/ha/host-tests.sh.

# bfd_block NAME NEIGHBOR SOURCE — 100 ms intervals, multiplier 3 (detection time 300 ms).
bfd_block() {
  printf 'bfd_instance %s {\n    neighbor_ip %s\n    source_ip %s\n    min_rx 100\n    min_tx 100\n    multiplier 3\n}\n' "$1" "$2" "$3"
}

# keepalived (A) runs a BFD session to Vigil (B); Vigil's lone instance tracks its session with weight 0, so it is in
# FAULT until the session is Up, MASTER while it is, and back in FAULT (VIP removed) within the detection time plus
# a little once keepalived is killed; up again when keepalived returns.
case_bfd_keepalived_peer() {
  conf "$LAB_DIR/a.part" VI_9 100 2 1 10.9.0.209/24
  { bfd_block to_b 10.9.0.2 10.9.0.1; sed 's/virtual_router_id 51/virtual_router_id 59/' "$LAB_DIR/a.part"; } >"$LAB_DIR/a.conf"
  conf "$LAB_DIR/b.part" VI_1 100 2 1 10.9.0.100/24 "track_bfd {" "    to_a" "}"
  { bfd_block to_a 10.9.0.1 10.9.0.2; cat "$LAB_DIR/b.part"; } >"$LAB_DIR/b.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_log "$LAB_DIR/vb.log" "VI_1: .* -> FAULT\|VI_1: INIT -> FAULT" 5 || fail "Vigil did not start in FAULT with its BFD session down"
  rm -f "$LAB_DIR/ka".{pid,vpid,cpid,bpid}
  setsid ip netns exec "$NS_A" keepalived -n -l -D -G -f "$LAB_DIR/a.conf" -p "$LAB_DIR/ka.pid" -r "$LAB_DIR/ka.vpid" \
    -c "$LAB_DIR/ka.cpid" -b "$LAB_DIR/ka.bpid" >"$LAB_DIR/ka.log" 2>&1 &
  local ka=$!; LAB_PGIDS+=("$ka")
  lab_wait_log "$LAB_DIR/vb.log" "bfd_instance to_a: .* -> Up" 8 || fail "the BFD session with keepalived did not come Up"
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "Vigil did not leave FAULT and take the VIP once the session was Up"
  grep -q "to_b.*Up\|Up.*to_b" "$LAB_DIR/ka.log" || echo "    (keepalived's log does not name the Up state: $(grep -m1 -i bfd "$LAB_DIR/ka.log"))"
  local t0; t0=$(date +%s%N)
  lab_kill "$ka"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "the VIP stayed after keepalived's BFD died"
  echo "    keepalived killed: VIP removed after $(( ($(date +%s%N) - t0) / 1000000 )) ms (detection time 300 ms)"
  grep -q "bfd_instance to_a: Up -> Down (control detection time expired)" "$LAB_DIR/vb.log" \
    || fail "no Down line with its diagnostic: $(grep 'bfd_instance' "$LAB_DIR/vb.log" | tail -2)"
  lab_wait_log "$LAB_DIR/vb.log" "VI_1: MASTER -> FAULT" 2 || fail "the instance did not go to FAULT"
  sleep 0.5   # the killed keepalived's processes are gone
  setsid ip netns exec "$NS_A" keepalived -n -l -D -G -f "$LAB_DIR/a.conf" -p "$LAB_DIR/ka2.pid" -r "$LAB_DIR/ka2.vpid" \
    -c "$LAB_DIR/ka2.cpid" -b "$LAB_DIR/ka2.bpid" >"$LAB_DIR/ka2.log" 2>&1 &
  LAB_PGIDS+=("$!")
  lab_wait_vip "$NS_B" 10.9.0.100 10 || fail "the VIP did not come back with keepalived's BFD"
}

# Two Vigil nodes, one of them passive, with a weighted track_bfd: the session comes Up, the weight is added (the
# priority shows in the status), and SIGTERM of the active side brings the passive side's session Down at once
# (AdminDown: "neighbor signaled session down").
case_bfd_vigil_pair_passive() {
  conf "$LAB_DIR/a.part" VI_9 100 2 1 10.9.0.209/24
  { bfd_block to_b 10.9.0.2 10.9.0.1; sed 's/virtual_router_id 51/virtual_router_id 59/' "$LAB_DIR/a.part"; } >"$LAB_DIR/a.conf"
  conf "$LAB_DIR/b.part" VI_1 100 2 1 10.9.0.100/24 "track_bfd {" "    to_a weight 20" "}"
  { bfd_block to_a 10.9.0.1 10.9.0.2 | sed 's/^}$/    passive\n}/'; cat "$LAB_DIR/b.part"; } >"$LAB_DIR/b.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "a weighted track_bfd kept the instance from running"
  sleep 2
  grep -q "bfd_instance to_a: .* -> Up" "$LAB_DIR/vb.log" && fail "the passive session came Up with nobody talking"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_wait_log "$LAB_DIR/vb.log" "bfd_instance to_a: .* -> Up" 8 || fail "the passive session did not come Up"
  lab_wait_log "$LAB_DIR/vb.log" "bfd_instance to_a is up" 3 || fail "the tracker change is not logged"
  lab_term va "$va" || fail "Vigil A did not exit on SIGTERM"
  lab_wait_log "$LAB_DIR/vb.log" "bfd_instance to_a: Up -> Down (neighbor signaled session down)" 2 \
    || fail "the AdminDown of A's stop did not take B's session Down: $(grep 'bfd_instance' "$LAB_DIR/vb.log" | tail -2)"
}

ALL_CASES+=(case_bfd_keepalived_peer case_bfd_vigil_pair_passive)
