#!/usr/bin/env bash
# VM tier: what a fresh `vigil ipvs apply` treats as its own (docs/ipvs.md, "Ownership").
# In a private network namespace:
#  1. a service made by hand with ipvsadm, then `apply A` (services S1, S2) without
#     --prune: both added, the hand-made one untouched, the record names S1 and S2 only;
#  2. `apply --prune B` (S1 only, one weight changed): S2 (declared earlier) deleted, the
#     hand-made service survives, S1's weight edited;
#  3. with the record gone (a new machine, a wiped /run): `apply --prune B` deletes
#     nothing — it never deletes a service it did not declare;
#  4. a hand-made service whose key B declares is adopted (edited to B's form), and a
#     later `--prune` of an empty file deletes it, but not the other hand-made one;
#  5. a corrupt record is an error naming file and line, and nothing is changed.
# Cleans up the namespace and files it made.
set -euo pipefail
bin=${VIGIL_BIN:-$(pwd)/.build/debug/vigil}
work=$(mktemp -d /tmp/vigil-ipvs-own.XXXXXX)
ns=vio$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; ip netns exec "$ns" ipvsadm -Ln >&2 || true; exit 1; }
in_ns() { ip netns exec "$ns" "$@"; }
has() { in_ns ipvsadm -Ln | grep -q -- "$1"; }
ip netns add "$ns"; ip -n "$ns" link set lo up
state="$work/owned"
vs() {  # vip weight-of-first-real-server
  cat <<CONF
virtual_server $1 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.20.0.1 80 {
        weight $2
    }
    real_server 10.20.0.2 80 {
        weight 1
    }
}
CONF
}
{ vs 10.0.0.1 1; vs 10.0.0.2 1; } > "$work/a.conf"
vs 10.0.0.1 5 > "$work/b.conf"
: > "$work/empty.conf"

in_ns ipvsadm -A -t 10.9.9.9:80 -s rr
in_ns ipvsadm -a -t 10.9.9.9:80 -r 10.20.0.9:80 -g
# 1
in_ns "$bin" ipvs apply --state "$state" -f "$work/a.conf" > "$work/out1"
has "10.0.0.1:80" && has "10.0.0.2:80" && has "10.9.9.9:80" || fail "1: apply A"
grep -qx "TCP 10.0.0.1:80" "$state" && grep -qx "TCP 10.0.0.2:80" "$state" || fail "1: record lacks A's services: $(cat "$state")"
grep -q "10.9.9.9" "$state" && fail "1: the record claims the hand-made service"
echo "ok 1: apply A adds S1, S2; hand-made service untouched and not recorded"
# 2
in_ns "$bin" ipvs apply --prune --state "$state" -f "$work/b.conf" > "$work/out2"
has "10.0.0.2:80" && fail "2: S2 (declared by the earlier apply) not pruned"
has "10.9.9.9:80" || fail "2: --prune deleted the hand-made service"
in_ns ipvsadm -Ln | grep -A2 "10.0.0.1:80" | grep -q "10.20.0.1:80 *Route *5" || fail "2: weight not edited"
grep -q "^-D -t 10.0.0.2:80" "$work/out2" || fail "2: no delete of S2 in the report: $(cat "$work/out2")"
[ "$(tail -n1 "$work/out2")" = "2 operation(s), 0 failed" ] || fail "2: expected 2 operations: $(cat "$work/out2")"
grep -q "10.0.0.2" "$state" && fail "2: pruned service still recorded"
echo "ok 2: --prune deletes only the service vigil declared before; the hand-made one survives"
# 3
in_ns ipvsadm -A -t 10.0.0.3:80 -s rr
rm -f "$state"
out=$(in_ns "$bin" ipvs apply --prune --state "$state" -f "$work/b.conf")
[ "$out" = "0 operation(s), 0 failed" ] || fail "3: a fresh --prune without a record changed something: $out"
has "10.0.0.3:80" && has "10.9.9.9:80" || fail "3: a service vigil never declared was deleted"
echo "ok 3: without a record, --prune deletes nothing"
# 4
in_ns ipvsadm -A -t 10.0.0.4:80 -s wlc
vs 10.0.0.4 1 > "$work/c.conf"
in_ns "$bin" ipvs apply --state "$state" -f "$work/c.conf" > "$work/out4"
in_ns ipvsadm -Ln | grep -q "10.0.0.4:80 rr" || fail "4: hand-made service with a declared key not adopted (scheduler)"
grep -qx "TCP 10.0.0.4:80" "$state" || fail "4: adopted service not recorded"
in_ns "$bin" ipvs apply --prune --state "$state" -f "$work/empty.conf" > "$work/out4b"
has "10.0.0.4:80" && fail "4: adopted service not pruned"
has "10.0.0.1:80" && fail "4: S1 (declared) not pruned by an empty file"
has "10.9.9.9:80" && has "10.0.0.3:80" || fail "4: pruning an empty file deleted hand-made services"
echo "ok 4: a declared key adopts the hand-made service; pruning an empty file deletes only declared services"
# 5
printf 'TCP 10.0.0.1:80\nnot a key\n' > "$state"
before=$(in_ns ipvsadm -Ln)
if in_ns "$bin" ipvs apply --prune --state "$state" -f "$work/b.conf" > "$work/out5" 2> "$work/err5"; then
  fail "5: a corrupt record was accepted"
fi
grep -q "$state:2: error:" "$work/err5" || fail "5: error does not name file and line: $(cat "$work/err5")"
[ "$(in_ns ipvsadm -Ln)" = "$before" ] || fail "5: the table changed despite the corrupt record"
echo "ok 5: a corrupt record is an error naming file:line; nothing changed"
echo "ipvs-ownership: 5 checks passed"
