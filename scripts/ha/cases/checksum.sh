# shellcheck shell=bash
# VRRPv3 checksum variants and the address owner's option (issue #13): old_unicast_checksum against keepalived 2.2.7
# (built with OLD_CHKSUM_COMPAT, as Debian's is) in both roles and with `never`; v3_checksum_as_v2 (keepalived 2.2.8)
# between two Vigil nodes and against 2.2.7, which lacks it; owner_ignore_adverts (2.3.3) against a 2.2.7 owner.
# Sourced by scripts/ha/host-tests.sh, which provides conf, lab_* and fail.

# unicast_v3 FILE PRIO SELF PEER [LINE...] — a VRRPv3 unicast instance from 10.9.0.SELF to 10.9.0.PEER.
unicast_v3() {
  local file=$1 prio=$2 self=$3 peer=$4; shift 4
  conf "$file" VI_1 "$prio" 3 1 10.9.0.100/24 "unicast_src_ip 10.9.0.$self" "unicast_peer {" "    10.9.0.$peer" "}" "$@"
}

# keepalived (A, 150) sends keepalived 1.3.6's unicast checksum (old_unicast_checksum); Vigil (B, 100) detects it
# once, follows, and takes over when keepalived dies.
case_old_unicast_checksum_detected() {
  unicast_v3 "$LAB_DIR/a.conf" 150 1 2 old_unicast_checksum
  unicast_v3 "$LAB_DIR/b.conf" 100 2 1
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"; local ka=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP"
  lab_wait_log "$LAB_DIR/vb.log" "carries the VRRPv3 checksum of keepalived 1.3.6" 5 || fail "Vigil did not detect the old checksum"
  sleep 5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil holds the VIP too: keepalived's old checksum was refused"
  local n; n=$(grep -c "carries the VRRPv3 checksum" "$LAB_DIR/vb.log")
  [ "$n" = 1 ] || fail "the detection was logged $n times, expected once"
  lab_kill "$ka"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "Vigil did not take over"
}

# Vigil (A, 150) with old_unicast_checksum: keepalived (B, 100), by default, detects it ("Setting unicast VRRPv3
# checksum to old version") and stays BACKUP; on Vigil's SIGTERM it takes over, so it read the priority-0 advert too.
case_old_unicast_checksum_configured() {
  unicast_v3 "$LAB_DIR/a.conf" 150 1 2 old_unicast_checksum
  unicast_v3 "$LAB_DIR/b.conf" 100 2 1
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP"
  lab_wait_log "$LAB_DIR/kb.log" "Setting unicast VRRPv3 checksum to old version" 5 \
    || fail "keepalived did not see keepalived 1.3.6's checksum in Vigil's adverts"
  sleep 5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "keepalived holds the VIP too: two MASTERs"
  lab_term va "$va" || fail "Vigil did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "keepalived did not take over on Vigil's priority-0 advert"
}

# old_unicast_checksum never: Vigil (B, 100) refuses keepalived's old checksum (counted as checksum errors) and
# becomes MASTER as if keepalived were silent.
case_old_unicast_checksum_never() {
  unicast_v3 "$LAB_DIR/a.conf" 150 1 2 old_unicast_checksum
  unicast_v3 "$LAB_DIR/b.conf" 100 2 1 "old_unicast_checksum never"
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP"
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "Vigil followed keepalived's old checksum despite 'never'"
  grep -q "carries the VRRPv3 checksum" "$LAB_DIR/vb.log" && fail "Vigil switched to the old checksum despite 'never'"
  grep -q "discarded advert from 10.9.0.1: malformed: .*checksum" "$LAB_DIR/vb.log" \
    || fail "no checksum discard logged: $(grep -m1 'discarded advert' "$LAB_DIR/vb.log")"
}

# v3_checksum_as_v2 between two Vigil nodes (one from global_defs, one on the instance): one MASTER; on the MASTER's
# SIGTERM the other takes over at once (it read the priority-0 advert).
case_v3_checksum_as_v2_vigil_pair() {
  conf "$LAB_DIR/a.part" VI_1 150 3 1 10.9.0.100/24 v3_checksum_as_v2
  conf "$LAB_DIR/b.part" VI_1 100 3 1 10.9.0.100/24
  cp "$LAB_DIR/a.part" "$LAB_DIR/a.conf"
  { printf 'global_defs {\n    v3_checksum_as_v2\n}\n'; cat "$LAB_DIR/b.part"; } >"$LAB_DIR/b.conf"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil A did not take the VIP"
  sleep 5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "Vigil B holds the VIP too: the checksums disagree"
  grep -q "discarded advert" "$LAB_DIR/vb.log" && fail "B discarded A's adverts: $(grep -m1 'discarded advert' "$LAB_DIR/vb.log")"
  local t0; t0=$(date +%s%N)
  lab_term va "$va" || fail "Vigil A did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "Vigil B did not take over on A's priority-0 advert"
  echo "    takeover $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

# v3_checksum_as_v2 against keepalived 2.2.7, which has no such option: keepalived (B, 100) refuses Vigil's adverts
# ("Invalid VRRPv3 checksum", the proof that they lack the pseudo-header), and both are MASTER; Vigil (A, 150) reads
# keepalived's RFC checksum all the same (keepalived 2.2.8+ with the option skips the check altogether).
case_v3_checksum_as_v2_keepalived_2_2_7() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 1 10.9.0.100/24 v3_checksum_as_v2
  conf "$LAB_DIR/b.conf" VI_1 100 3 1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP"
  lab_wait_log "$LAB_DIR/kb.log" "(VI_1) Invalid VRRPv3 checksum" 6 \
    || fail "keepalived 2.2.7 accepted Vigil's checksum without pseudo-header"
  lab_wait_vip "$NS_B" 10.9.0.100 6 || fail "keepalived did not become MASTER"
  lab_wait_log "$LAB_DIR/va.log" "advert from 10.9.0.2 with lower priority 100" 4 \
    || fail "Vigil did not read keepalived's RFC-checksummed adverts"
}

# owner_pair [LINE...] — Vigil (A, 10.9.0.1) and keepalived (B, 10.9.0.2), both address owners (priority 255, v3):
# the tie goes to the higher address, keepalived's.
owner_pair() {
  conf "$LAB_DIR/a.conf" VI_1 255 3 1 10.9.0.100/24 "$@"
  conf "$LAB_DIR/b.conf" VI_1 255 3 1 10.9.0.100/24 "state MASTER"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; OWNER_VA=$LAST_PGID
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil, the owner, did not take the VIP"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"; OWNER_KB=$LAST_PGID
  lab_wait_vip "$NS_B" 10.9.0.100 8 || fail "keepalived, the owner, did not take the VIP"
}

# Without owner_ignore_adverts the owner with the lower address yields; with it, it ignores keepalived's adverts
# (logged as such) and stays MASTER.
case_owner_ignore_adverts() {
  owner_pair
  lab_wait_vip "$NS_A" 10.9.0.100 5 absent || fail "without owner_ignore_adverts Vigil did not yield the tie"
  lab_term va "$OWNER_VA" && lab_term kb "$OWNER_KB" || fail "a daemon did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 3 absent || fail "keepalived left the VIP behind"
  owner_pair owner_ignore_adverts
  sleep 4
  lab_has_vip "$NS_A" 10.9.0.100 || fail "Vigil yielded despite owner_ignore_adverts"
  grep -q "discarded advert from 10.9.0.2: we are the address owner" "$LAB_DIR/va.log" \
    || fail "the dropped adverts are not logged: $(grep -m1 'discarded advert' "$LAB_DIR/va.log")"
}

ALL_CASES+=(case_old_unicast_checksum_detected case_old_unicast_checksum_configured case_old_unicast_checksum_never
            case_v3_checksum_as_v2_vigil_pair case_v3_checksum_as_v2_keepalived_2_2_7 case_owner_ignore_adverts)
