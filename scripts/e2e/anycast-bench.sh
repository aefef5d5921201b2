#!/usr/bin/env bash
# `make bench-anycast` (issue #16, docs/anycast.md): route convergence of announced directors and the connections
# that survive the loss of one director of two, on the anycast lab (scripts/e2e/anycast-lab.sh) in the qemu VM.
# Rounds (ANYCAST_ROUNDS, default 5), medians printed:
#   withdraw   real server 2 dies: director 2's quorum loss (its log line) → the router's FIB without it;
#   announce   real server 2 returns: the quorum gain that completes director 2's pools → the router's FIB with it;
#   host death director 1's host hangs (processes frozen, packets dropped, link up) → the router's FIB without it
#              (BFD, BIRD's default timers);
#   survival   ANYCAST_CONNS (default 200) long-lived TCP connections to the announced echo service, spread by the
#              router's L4 ECMP hash, across the host death: the share of director 2's connections still answering
#              (goal 100%), and of director 1's (LVS-NAT with a pool per director: they die with their director).
# The router's FIB instants come from `ip -ts monitor route` (kernel notification times), Vigil's from its log.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib/suite.sh
ROUNDS=${ANYCAST_ROUNDS:-5}
CONNS=${ANYCAST_CONNS:-200}
LAB_NAME="anycast bench"
LAB_ECHO=1
. scripts/e2e/anycast-lab.sh
lab_up
vigil_start 1; vigil_start 2
check "both directors are in the router's FIB" wait_for 90 "two next hops" hops_are 2

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
# after_line FILE N PATTERN — the first line after line N of FILE matching PATTERN.
after_line() { tail -n "+$(( $2 + 1 ))" "$1" | grep -m1 "$3"; }
withdraws=() announces=() deaths=() kept2=() kept1=()

for r in $(seq "$ROUNDS"); do
  n=$(wc -l < "$DIR/vigil2.log")
  server_stop 2
  if wait_for 20 "one next hop" hops_are 1; then
    q=$(after_line "$DIR/vigil2.log" "$n" "quorum DOWN")
    f=$(fib_ms "$(log_ms "$q")" "^$VIP via 10.98.1.2")
    [ -n "$q" ] && [ -n "$f" ] && withdraws+=($(( f - $(log_ms "$q") )))
  else
    not_ok "round $r: the router drops director 2"
  fi
  n=$(wc -l < "$DIR/vigil2.log")
  server_start 2
  if wait_for 30 "two next hops" hops_are 2; then
    a=$(after_line "$DIR/vigil2.log" "$n" "$VIP announced in table")
    # The quorum gain that completed the pools is the last one logged before the announcement.
    q=$(tail -n "+$(( n + 1 ))" "$DIR/vigil2.log" | sed "/$VIP announced in table/q" | grep "quorum UP" | tail -1)
    f=$(fib_ms "$(log_ms "$q")" "^$VIP proto bird")
    [ -n "$a" ] && [ -n "$q" ] && [ -n "$f" ] && announces+=($(( f - $(log_ms "$q") )))
  else
    not_ok "round $r: director 2 comes back"
  fi
  echo "# round $r: withdraw ${withdraws[-1]:-?} ms, announce ${announces[-1]:-?} ms"
done

for r in $(seq $(( (ROUNDS + 1) / 2 ))); do
  go="$DIR/go$r"
  ip netns exec $NS_C python3 scripts/e2e/anycast-conns.py "$VIP" 7 "$CONNS" "$go" >"$DIR/conns$r.out" 2>&1 &
  client=$!
  wait_for 120 "connections open" grep -q ready "$DIR/conns$r.out" || not_ok "round $r: the client opens its connections"
  t0=$(now_ms)
  host_hang 1
  if wait_for 10 "one next hop" hops_are 1; then
    f=$(fib_ms "$t0" "^$VIP via 10.98.2.2")
    [ -n "$f" ] && deaths+=($(( f - t0 )))
  else
    not_ok "round $r: the router drops director 1"
  fi
  touch "$go"
  wait "$client"
  result=$(tail -1 "$DIR/conns$r.out")
  echo "# round $r: host death ${deaths[-1]:-?} ms; connections $result"
  # (A here-string, not process substitution: the VM has no /dev/fd.)
  read -r o1 a1 o2 a2 <<<"$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); o,a=d["opened"],d["alive"]; print(o.get("s1",0),a.get("s1",0),o.get("s2",0),a.get("s2",0))' "$result" 2>/dev/null || echo "0 0 0 0")"
  [ "$o2" -gt 0 ] && kept2+=($(( a2 * 100 / o2 )))
  [ "$o1" -gt 0 ] && kept1+=($(( a1 * 100 / o1 )))
  check "round $r: every connection through director 2 survives ($a2 of $o2)" [ "$o2" -gt 0 ] && [ "$a2" -eq "$o2" ]
  host_revive 1
  wait_for 90 "two next hops" hops_are 2 || not_ok "round $r: director 1 returns"
done

echo
echo "anycast convergence (VM, TCG; $ROUNDS rounds; medians, ms; router FIB instants from kernel notifications)"
printf '  %-44s %8s   %s\n' "pool fails: quorum loss -> router FIB" "$(printf '%s\n' "${withdraws[@]}" | median)" "${withdraws[*]}"
printf '  %-44s %8s   %s\n' "pool returns: quorum gain -> router FIB" "$(printf '%s\n' "${announces[@]}" | median)" "${announces[*]}"
printf '  %-44s %8s   %s\n' "host hangs: -> router FIB (BFD 100 ms x 5)" "$(printf '%s\n' "${deaths[@]}" | median)" "${deaths[*]}"
printf '  %-44s %7s%%   %s\n' "connections via the surviving director kept" "$(printf '%s\n' "${kept2[@]}" | median)" "${kept2[*]}"
printf '  %-44s %7s%%   %s\n' "connections via the dead director kept (NAT)" "$(printf '%s\n' "${kept1[@]}" | median)" "${kept1[*]}"
check "the withdrawal reaches the router's FIB within 50 ms of the quorum loss (median)" \
  [ "$(printf '%s\n' "${withdraws[@]}" | median)" != - ] && [ "$(printf '%s\n' "${withdraws[@]}" | median)" -le 50 ]
check "a hung host leaves the router's FIB within BFD's detection time (median ≤ 1500 ms)" \
  [ "$(printf '%s\n' "${deaths[@]}" | median)" != - ] && [ "$(printf '%s\n' "${deaths[@]}" | median)" -le 1500 ]
