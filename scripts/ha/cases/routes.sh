#!/usr/bin/env bash
# virtual_routes/_rules, static_routes/_rules and static_ipaddress as keepalived 2.2.7 installs them (issue #13): the MASTER's
# virtual routes come with its VIP and go with it, static entries stay while the daemon runs, and the routes Vigil
# installs are the ones keepalived installs for the same lines (compared as `ip route` prints them).
# Sourced by scripts/ha/host-tests.sh.

# routes_conf FILE PRIO — conf's VRRPv2 instance with three virtual routes and two rules, plus static entries.
routes_conf() {
  conf "$1" VI_1 "$2" 2 1 10.9.0.100/24 \
    "virtual_routes {" "    10.50.0.0/16 via 10.9.0.254 dev veth0" "    blackhole 10.60.0.0/16" \
    "    10.70.0.0/16 dev veth0 table 100 metric 7" "}" \
    "virtual_rules {" "    from 10.9.0.100 table 100 priority 100" "    to 10.71.0.0/16 priority 102 blackhole" "}"
  printf 'static_ipaddress {\n    10.9.1.%s/24 dev veth0\n}\nstatic_routes {\n    10.80.0.0/16 via 10.9.0.254 dev veth0\n}\nstatic_rules {\n    from 10.9.1.0/24 table 100 priority 101\n}\n' \
    "$([ "$2" = 150 ] && echo 1 || echo 2)" >> "$1"
}

# routes_of NS — the routes the lines above make, as `ip route` prints them, sorted, with interface-specific
# words normalised.
routes_of() {
  { ip -n "$1" route show table all 10.50.0.0/16; ip -n "$1" route show table all 10.60.0.0/16
    ip -n "$1" route show table 100 10.70.0.0/16; ip -n "$1" rule show pref 100; ip -n "$1" rule show pref 102; } 2>/dev/null \
    | sed 's/ *$//' | sort
}

case_virtual_routes_follow_master() {
  routes_conf "$LAB_DIR/a.conf" 150
  routes_conf "$LAB_DIR/b.conf" 100
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not take the VIP"
  sleep 1
  local vigil_routes; vigil_routes=$(routes_of "$NS_A")
  echo "    Vigil (MASTER):"; echo "$vigil_routes" | sed 's/^/      /'
  [ "$(echo "$vigil_routes" | grep -c .)" = 5 ] || fail "expected 3 virtual routes and 2 rules on the MASTER"
  echo "$vigil_routes" | grep -q "^100:.*from 10.9.0.100 lookup 100 proto keepalived" || fail "the virtual rule is missing"
  echo "$vigil_routes" | grep -q "10.50.0.0/16 via 10.9.0.254 dev veth0 proto keepalived" \
    || fail "the via route is missing or not proto keepalived (18)"
  [ -z "$(routes_of "$NS_B")" ] || fail "keepalived (BACKUP) has virtual routes"
  ip -n "$NS_A" route show 10.80.0.0/16 | grep -q "via 10.9.0.254" || fail "Vigil's static route is missing"
  ip -n "$NS_A" addr show dev veth0 | grep -q "10.9.1.1/24" || fail "Vigil's static address is missing"
  ip -n "$NS_A" rule show pref 101 | grep -q "from 10.9.1.0/24 lookup 100" || fail "Vigil's static rule is missing"
  ip -n "$NS_B" route show 10.80.0.0/16 | grep -q "via 10.9.0.254" || fail "setup: keepalived's static route is missing"
  lab_term va "$va" || fail "Vigil did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 5 || fail "keepalived did not take over"
  sleep 1
  local keepalived_routes; keepalived_routes=$(routes_of "$NS_B")
  echo "    keepalived (MASTER):"; echo "$keepalived_routes" | sed 's/^/      /'
  [ "$vigil_routes" = "$keepalived_routes" ] || fail "Vigil's routes differ from keepalived's for the same lines"
  [ -z "$(routes_of "$NS_A")" ] || fail "Vigil left its virtual routes behind"
  ip -n "$NS_A" route show 10.80.0.0/16 | grep -q . && fail "Vigil left its static route behind"
  ip -n "$NS_A" addr show dev veth0 | grep -q "10.9.1.1/24" && fail "Vigil left its static address behind"
  ip -n "$NS_A" rule show pref 101 | grep -q . && fail "Vigil left its static rule behind"
  true
}

ALL_CASES+=(case_virtual_routes_follow_master)
