#!/usr/bin/env bash
# Start-up as keepalived (issue #13): leftover VIPs removed at start (never on reload), and the start-up timing of
# keepalived 2.2.7 (the master-down interval even with `state MASTER`, except the address owner). Sourced by
# scripts/ha/host-tests.sh, whose helpers (conf, lab_*, fail, capture_*) it uses.

# set_state FILE STATE — rewrites the `state` line that `conf` writes.
set_state() { sed -i "s/^    state BACKUP$/    state $2/" "$1"; }

# vip_stays NS ADDR SECONDS present|absent — true if ADDR stays present (or absent) on NS's veth0 throughout,
# polling every 20 ms.
vip_stays() {
  local end=$(( $(date +%s%N) + $3 * 1000000000 )) on
  while [ "$(date +%s%N)" -lt "$end" ]; do
    if lab_has_vip "$1" "$2"; then on=present; else on=absent; fi
    [ "$on" = "$4" ] || return 1
    sleep 0.02
  done
  return 0
}

# Vigil MASTER (A, 150) is SIGKILLed and leaves the VIP; keepalived (B, 100) takes over; Vigil comes back with
# priority 50 and removes the leftover before its instance starts: exactly one node holds the VIP.
case_start_removes_leftover_vip() {
  conf "$LAB_DIR/a1.conf" VI_1 150 3 0.1 10.9.0.100/24
  conf "$LAB_DIR/a2.conf" VI_1 50 3 0.1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a1.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP at start"
  sleep 1
  lab_kill "$va"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "keepalived did not take over after SIGKILL of Vigil"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "setup: the SIGKILLed Vigil left no VIP behind"
  lab_start_vigil "$NS_A" va2 "$LAB_DIR/a2.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 3 absent || fail "the restarted Vigil (BACKUP) kept the leftover VIP"
  lab_wait_log "$LAB_DIR/va2.log" "VI_1: removed 10.9.0.100/24 from veth0: virtual_ipaddress entry" 2 \
    || fail "no log line for the removed leftover"
  local removed started
  removed=$(grep -n "removed 10.9.0.100/24" "$LAB_DIR/va2.log" | head -1 | cut -d: -f1)
  started=$(grep -n "VI_1: INIT -> " "$LAB_DIR/va2.log" | head -1 | cut -d: -f1)
  [ -n "$removed" ] && [ -n "$started" ] && [ "$removed" -lt "$started" ] \
    || fail "the leftover was not removed before the instance started (lines $removed, $started)"
  sleep 1
  lab_has_vip "$NS_B" 10.9.0.100 || fail "keepalived lost the VIP"
  lab_has_vip "$NS_A" 10.9.0.100 && fail "two nodes hold the VIP"
  true
}

# The address owner whose VIP is the interface's own address (10.9.0.1/24 on A): Vigil keeps the address its
# adverts go from (keepalived removes it and re-adds it a moment later), starts MASTER at once and advertises.
case_start_owner_own_address() {
  conf "$LAB_DIR/a.conf" VI_1 255 2 1 10.9.0.1/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_log "$LAB_DIR/va.log" "VI_1: INIT -> MASTER (address owner" 5 || fail "the owner did not start as MASTER"
  vip_stays "$NS_A" 10.9.0.1 2 present || fail "the interface's own address left the interface"
  grep -q "removed 10.9.0.1/24" "$LAB_DIR/va.log" && fail "the address the adverts go from was removed as a leftover"
  grep -q "send failed" "$LAB_DIR/va.log" && fail "an advert could not be sent"
  true
}

# A reload (SIGHUP) removes nothing: the MASTER's VIP stays on the interface throughout, and no removal is logged.
case_start_reload_removes_nothing() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  grep -q "removed 10.9.0.100" "$LAB_DIR/va.log" && fail "setup: a fresh interface had a leftover"
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  vip_stays "$NS_A" 10.9.0.100 2 present || fail "the VIP left the interface on reload"
  lab_wait_log "$LAB_DIR/va.log" "reloaded:" 2 || fail "the reload was not logged"
  grep -q "removed 10.9.0.100" "$LAB_DIR/va.log" && fail "a reload removed the VIP as a leftover"
  true
}

# A reload keeps the state of a changed instance, as keepalived's does: Vigil MASTER (A, 150) beside keepalived
# (B, 100) is reloaded with priority 140; it stays MASTER (no transition, no priority 0) and the VIP never leaves A
# nor reaches B. (A changed VIP list is in the unit tier: keepalived drops adverts whose list differs from its own.)
case_start_reload_keeps_master_state() {
  conf "$LAB_DIR/a.conf" VI_1 150 3 0.1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 3 0.1 10.9.0.100/24
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 5 || fail "Vigil did not take the VIP"
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  sleep 1
  conf "$LAB_DIR/a.conf" VI_1 140 3 0.1 10.9.0.100/24
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  vip_stays "$NS_A" 10.9.0.100 2 present || fail "the MASTER's VIP left A on reload"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "keepalived took the VIP during the reload"
  lab_wait_log "$LAB_DIR/va.log" "reloaded:" 1 || fail "the reload was not logged"
  local n; n=$(grep -c "VI_1: .* -> " "$LAB_DIR/va.log")
  [ "$n" = 2 ] || fail "VI_1 changed state on reload ($n transitions, expected INIT->BACKUP->MASTER only)"
  true
}

# keepalived MASTER (A, 150) runs; Vigil (B) starts with `state MASTER` and priority 100: as keepalived 2.2.7 it
# starts in BACKUP, hears the master within the master-down interval and never holds the VIP or advertises.
case_start_state_master_does_not_steal() {
  conf "$LAB_DIR/a.conf" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/b.conf" VI_1 100 2 1 10.9.0.100/24
  set_state "$LAB_DIR/b.conf" MASTER
  lab_start_keepalived "$NS_A" ka "$LAB_DIR/a.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "keepalived did not take the VIP at start"
  capture_start "$LAB_DIR/vrrp.txt" "ip proto 112"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  vip_stays "$NS_B" 10.9.0.100 5 absent || fail "Vigil with state MASTER took the VIP from a higher-priority master"
  capture_stop
  grep -q "10.9.0.2 > 224.0.0.18" "$LAB_DIR/vrrp.txt" && fail "Vigil with state MASTER sent adverts while a master ran"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "keepalived lost the VIP"
  lab_wait_log "$LAB_DIR/vb.log" "VI_1: INIT -> BACKUP" 1 || fail "Vigil did not start in BACKUP"
  true
}

# vip_after NS ADDR — milliseconds from now until ADDR is on NS's veth0 (8 s at most); prints them.
vip_after() {
  local t0; t0=$(date +%s%N)
  lab_wait_vip "$1" "$2" 8 || return 1
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

# Alone, `state MASTER` with priority 100 waits the master-down interval (3 × 1 s + skew 0.61 s) before taking the
# VIP, and keepalived 2.2.7 with the same file waits as long; the address owner (priority 255) takes it at once.
case_start_state_master_waits_down_interval() {
  conf "$LAB_DIR/a.conf" VI_1 100 2 1 10.9.0.100/24
  set_state "$LAB_DIR/a.conf" MASTER
  local ms
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/a.conf"; local kb=$LAST_PGID
  ms=$(vip_after "$NS_B" 10.9.0.100) || fail "keepalived did not take the VIP"
  echo "    keepalived, state MASTER, priority 100: VIP after ${ms:-?} ms"
  [ "${ms:-0}" -ge 3400 ] || fail "keepalived took the VIP after ${ms:-?} ms: the reference behaviour changed"
  lab_kill "$kb"; ip -n "$NS_B" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  ms=$(vip_after "$NS_A" 10.9.0.100) || fail "Vigil did not take the VIP"
  echo "    Vigil, state MASTER, priority 100: VIP after ${ms:-?} ms (master-down interval 3609 ms)"
  [ "${ms:-0}" -ge 3400 ] || fail "state MASTER took the VIP after ${ms:-?} ms, before the master-down interval"
  lab_term va "$va" || fail "Vigil did not exit on SIGTERM"
  conf "$LAB_DIR/o.conf" VI_1 255 2 1 10.9.0.100/24
  lab_start_vigil "$NS_A" vo "$LAB_DIR/o.conf"
  ms=$(vip_after "$NS_A" 10.9.0.100) || fail "the address owner did not take the VIP"
  echo "    Vigil, priority 255: VIP after ${ms:-?} ms"
  [ "${ms:-99999}" -le 1500 ] || fail "the address owner waited ${ms:-?} ms"
  true
}

# `state MASTER` without `priority` is the address owner (255) in keepalived 2.2.7, which takes the VIP at once;
# Vigil does the same (and warns).
case_start_state_master_without_priority() {
  conf "$LAB_DIR/a.conf" VI_1 100 2 1 10.9.0.100/24
  set_state "$LAB_DIR/a.conf" MASTER
  sed -i '/^    priority 100$/d' "$LAB_DIR/a.conf"
  local ms
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/a.conf"; local kb=$LAST_PGID
  ms=$(vip_after "$NS_B" 10.9.0.100) || fail "keepalived did not take the VIP"
  echo "    keepalived, state MASTER, no priority: VIP after ${ms:-?} ms"
  [ "${ms:-99999}" -le 1500 ] || fail "keepalived waited ${ms:-?} ms: the reference behaviour changed"
  lab_kill "$kb"; ip -n "$NS_B" addr del 10.9.0.100/24 dev veth0 2>/dev/null
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  ms=$(vip_after "$NS_A" 10.9.0.100) || fail "Vigil did not take the VIP"
  echo "    Vigil, state MASTER, no priority: VIP after ${ms:-?} ms"
  [ "${ms:-99999}" -le 1500 ] || fail "Vigil waited ${ms:-?} ms where keepalived (priority 255) does not"
  lab_wait_log "$LAB_DIR/va.log" "INIT -> MASTER (address owner" 2 || fail "not started as the address owner"
  true
}

# A sync group whose members all have `state MASTER` (below 255): keepalived 2.2.7's vrrp_init_state arms a shorter
# first timer (one advert interval + 1/256 s) for such members, yet measured it takes the VIPs only after the whole
# master-down interval, as Vigil does; this case keeps both to that.
case_start_sync_group_state_master() {
  conf "$LAB_DIR/a.conf" VI_1 100 2 1 10.9.0.100/24
  conf "$LAB_DIR/a2.part" VI_2 100 2 1 10.9.0.101/24
  sed 's/virtual_router_id 51/virtual_router_id 52/' "$LAB_DIR/a2.part" >>"$LAB_DIR/a.conf"
  set_state "$LAB_DIR/a.conf" MASTER
  printf 'vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n' >>"$LAB_DIR/a.conf"
  local ms
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/a.conf"; local kb=$LAST_PGID
  ms=$(vip_after "$NS_B" 10.9.0.100) || fail "keepalived did not take the VIP"
  echo "    keepalived, sync group, state MASTER: VIP after ${ms:-?} ms"
  [ "${ms:-0}" -ge 3400 ] || fail "keepalived took ${ms:-?} ms: the reference behaviour changed"
  lab_kill "$kb"; ip -n "$NS_B" addr del 10.9.0.100/24 dev veth0 2>/dev/null; ip -n "$NS_B" addr del 10.9.0.101/24 dev veth0 2>/dev/null
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  ms=$(vip_after "$NS_A" 10.9.0.100) || fail "Vigil did not take the VIP"
  echo "    Vigil, sync group, state MASTER: VIP after ${ms:-?} ms"
  [ "${ms:-0}" -ge 3400 ] || fail "Vigil took ${ms:-?} ms, before the master-down interval"
  lab_has_vip "$NS_A" 10.9.0.101 || fail "the other member of the group did not follow"
  true
}

# At boot the link comes up as the daemon starts and its IPv6 link-local address is still tentative (duplicate
# address detection) for about a second: binding it fails with EADDRNOTAVAIL. Vigil waits for it (logged) instead of
# exiting, then runs the instance. (Found by `make chaos`.)
case_start_waits_for_tentative_source() {
  conf "$LAB_DIR/a.conf" VI_6 150 3 0.1 fd00:9::100/64
  ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.veth0.accept_dad=1 net.ipv6.conf.veth0.dad_transmits=3
  ip -n "$NS_A" link set veth0 down
  ip -n "$NS_A" link set veth0 up
  ip -n "$NS_A" -6 addr show dev veth0 scope link | grep -q tentative \
    || fail "setup: the link-local address is not tentative after the link came up"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_wait_log "$LAB_DIR/va.log" "VI_6: waiting for fe80" 3 || fail "no log line for the tentative source"
  lab_wait_vip "$NS_A" fd00:9::100 10 || fail "Vigil did not become MASTER once the address was usable"
  kill -0 -- "-$LAST_PGID" 2>/dev/null || fail "Vigil exited"
}

# vrrp_delay_after_boot (keepalived 2.4.0; 2.2.7 does not know it), set to the system's uptime + 3 s: a lone BACKUP
# (priority 100) takes its VIP after the delay plus the master-down interval (3 + 3.6 s) instead of 3.6 s, and the log
# says why; set below the uptime, nothing waits. (As keepalived's start delays, it holds the master-down timer only:
# an address owner, MASTER at once, is not delayed, in keepalived as in Vigil.)
case_start_delay_after_boot() {
  local up ms
  up=$(cut -d' ' -f1 /proc/uptime)
  conf "$LAB_DIR/o.part" VI_1 100 2 1 10.9.0.100/24
  { printf 'global_defs {\n    vrrp_delay_after_boot %s\n}\n' "$(awk -v u="$up" 'BEGIN { printf "%.2f", u + 3 }')"; cat "$LAB_DIR/o.part"; } >"$LAB_DIR/o.conf"
  lab_start_vigil "$NS_A" vo "$LAB_DIR/o.conf"; local vo=$LAST_PGID
  ms=$(vip_after "$NS_A" 10.9.0.100) || fail "the instance did not take the VIP"
  echo "    vrrp_delay_after_boot = uptime + 3 s: VIP after ${ms:-?} ms (3 s + master-down 3609 ms)"
  [ "${ms:-0}" -ge 6000 ] && [ "${ms:-99999}" -le 7800 ] || fail "the VIP came after ${ms:-?} ms, not about 6.6 s"
  grep -q "(vrrp_delay_after_boot, the system booted" "$LAB_DIR/vo.log" || fail "the delay is not logged with its reason"
  lab_term vo "$vo" || fail "Vigil did not exit on SIGTERM"
  { printf 'global_defs {\n    vrrp_delay_after_boot 1\n}\n'; cat "$LAB_DIR/o.part"; } >"$LAB_DIR/o.conf"
  lab_start_vigil "$NS_A" vo2 "$LAB_DIR/o.conf"
  ms=$(vip_after "$NS_A" 10.9.0.100) || fail "the instance did not take the VIP"
  echo "    vrrp_delay_after_boot 1 (long since booted): VIP after ${ms:-?} ms"
  [ "${ms:-99999}" -le 4800 ] || fail "the instance waited ${ms:-?} ms although the system booted long ago"
  grep -q "delaying the start" "$LAB_DIR/vo2.log" && fail "a delay was applied although the system booted long ago"
  true
}

ALL_CASES+=(case_start_waits_for_tentative_source case_start_removes_leftover_vip case_start_owner_own_address case_start_reload_removes_nothing
            case_start_reload_keeps_master_state case_start_state_master_does_not_steal
            case_start_state_master_waits_down_interval case_start_state_master_without_priority
            case_start_sync_group_state_master case_start_delay_after_boot)
