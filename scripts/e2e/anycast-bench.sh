#!/usr/bin/env bash
# `make bench-anycast` (issue #16, docs/anycast.md): route convergence of announced directors and the connections
# that survive the loss of one director of three and of two, on the anycast lab (scripts/e2e/anycast-lab.sh,
# ANYCAST_DIRECTORS, default 3 here) in the qemu VM. Rounds (ANYCAST_ROUNDS, default 5), medians printed:
#   withdraw   real server 2 dies: director 2's quorum loss (its log line) → the router's FIB without it;
#   announce   real server 2 returns: the quorum gain that completes director 2's pools → the router's FIB with it;
#   host death director 1's host hangs (processes frozen, packets dropped, link up) → the router's FIB without it
#              (BFD, BIRD's default timers);
#   survival   ANYCAST_CONNS (default 200) long-lived TCP connections to the announced echo service, spread by the
#              router's L4 ECMP hash, across director 1's host death: the share of the surviving directors'
#              connections still answering (goal 100%), and of director 1's (LVS-NAT with a pool per director: they
#              die with their director); first with every director up (one of three lost), then with director 3
#              stopped (one of two), (ROUNDS + 1) / 2 rounds each.
# The router's FIB instants come from `ip -ts monitor route` (kernel notification times), Vigil's from its log.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib/suite.sh
ROUNDS=${ANYCAST_ROUNDS:-5}
CONNS=${ANYCAST_CONNS:-200}
LAB_NAME="anycast bench"
LAB_ECHO=1
ANYCAST_DIRECTORS=${ANYCAST_DIRECTORS:-3}
. scripts/e2e/anycast-lab.sh
N=$DIRECTORS
[ "$N" -ge 2 ] || { echo "error: ANYCAST_DIRECTORS must be 2 or more" >&2; exit 2; }
lab_up
for k in $(seq "$N"); do vigil_start "$k"; done
check "the $N directors are in the router's FIB" wait_for 90 "$N next hops" hops_are "$N"

# survived ALIVE OPENED — connections were opened and every one of them answered.
survived() { [ "$2" -gt 0 ] && [ "$1" -eq "$2" ]; }
# median_at_most LIMIT VALUE... — the values' median exists and is at most LIMIT (inside one command, so that `check`
# judges both conditions).
median_at_most() { local limit=$1 m; shift; m=$(printf '%s\n' "$@" | median); [ "$m" != - ] && [ "$m" -le "$limit" ]; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
# after_line FILE N PATTERN — the first line after line N of FILE matching PATTERN.
after_line() { tail -n "+$(( $2 + 1 ))" "$1" | grep -m1 "$3"; }
withdraws=() announces=() deaths=()
declare -A kept_alive kept_dead   # per count of directors up: the rounds' percentages

for r in $(seq "$ROUNDS"); do
  n=$(wc -l < "$DIR/vigil2.log")
  server_stop 2
  if wait_for 20 "$((N - 1)) next hops" hops_are $((N - 1)); then
    q=$(after_line "$DIR/vigil2.log" "$n" "quorum DOWN")
    f=$(fib_ms "$(log_ms "$q")" "^$VIP ")   # the first change of the VIP's route after the quorum loss
    [ -n "$q" ] && [ -n "$f" ] && withdraws+=($(( f - $(log_ms "$q") )))
  else
    not_ok "round $r: the router drops director 2"
  fi
  n=$(wc -l < "$DIR/vigil2.log")
  server_start 2
  if wait_for 30 "$N next hops" hops_are "$N"; then
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

# survival UP R — round R of the host death of director 1 with UP directors announcing.
survival() {
  local up=$1 r=$2 go="$DIR/go$1-$2" client t0 f result line opened alive k o a
  wait_for 120 "$up next hops" hops_are "$up" || { not_ok "$up up, round $r: not every director is in the router's FIB"; return; }
  ip netns exec $NS_C python3 scripts/e2e/anycast-conns.py "$VIP" 7 "$CONNS" "$go" >"$DIR/conns$up-$r.out" 2>&1 &
  client=$!
  wait_for 120 "connections open" grep -q ready "$DIR/conns$up-$r.out" || not_ok "$up up, round $r: the client opens its connections"
  t0=$(now_ms)
  host_hang 1
  if wait_for 10 "$((up - 1)) next hops" hops_are $((up - 1)); then
    f=$(fib_ms "$t0" "^$VIP ")
    [ -n "$f" ] && deaths+=($(( f - t0 )))
  else
    not_ok "$up up, round $r: the router drops director 1"
  fi
  touch "$go"
  wait "$client"
  result=$(tail -1 "$DIR/conns$up-$r.out")
  echo "# $up up, round $r: host death ${deaths[-1]:-?} ms; connections $result"
  # "s1 OPENED ALIVE" per real server (a here-string, not process substitution: the VM has no /dev/fd).
  opened=0 alive=0
  while read -r k o a; do
    [ -n "$k" ] || continue
    if [ "$k" = s1 ]; then
      [ "$o" -gt 0 ] && kept_dead[$up]+="$(( a * 100 / o )) "
    else
      opened=$((opened + o)); alive=$((alive + a))
    fi
  done <<<"$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); [print(k, v, d["alive"].get(k, 0)) for k, v in d["opened"].items() if k.startswith("s")]' "$result" 2>/dev/null)"
  [ "$opened" -gt 0 ] && kept_alive[$up]+="$(( alive * 100 / opened )) "
  check "$up up, round $r: every connection through the surviving directors survives ($alive of $opened)" \
    survived "$alive" "$opened"
  host_revive 1
  wait_for 120 "$up next hops" hops_are "$up" || not_ok "$up up, round $r: director 1 returns"
}

for up in $(seq "$N" -1 2); do
  if [ "$up" -lt "$N" ]; then   # one director fewer: the last one stops (SIGTERM withdraws its route)
    vigil_signal $((up + 1)) TERM
    check "director $((up + 1)) stopped: $up next hops" wait_for 30 "$up next hops" hops_are "$up"
  fi
  for r in $(seq $(( (ROUNDS + 1) / 2 ))); do survival "$up" "$r"; done
done

echo
echo "anycast convergence ($N directors; VM, TCG; $ROUNDS rounds; medians, ms; router FIB instants from kernel notifications)"
printf '  %-44s %8s   %s\n' "pool fails: quorum loss -> router FIB" "$(printf '%s\n' "${withdraws[@]}" | median)" "${withdraws[*]}"
printf '  %-44s %8s   %s\n' "pool returns: quorum gain -> router FIB" "$(printf '%s\n' "${announces[@]}" | median)" "${announces[*]}"
printf '  %-44s %8s   %s\n' "host hangs: -> router FIB (BFD 100 ms x 5)" "$(printf '%s\n' "${deaths[@]}" | median)" "${deaths[*]}"
for up in $(seq "$N" -1 2); do
  printf '  %-44s %7s%%   %s\n' "one of $up lost: via the survivors, kept" "$(printf '%s\n' ${kept_alive[$up]:-} | median)" "${kept_alive[$up]:-}"
  printf '  %-44s %7s%%   %s\n' "one of $up lost: via the dead one, kept (NAT)" "$(printf '%s\n' ${kept_dead[$up]:-} | median)" "${kept_dead[$up]:-}"
done
check "the withdrawal reaches the router's FIB within 50 ms of the quorum loss (median)" \
  median_at_most 50 "${withdraws[@]}"
check "a hung host leaves the router's FIB within BFD's detection time (median ≤ 1500 ms)" \
  median_at_most 1500 "${deaths[@]}"
