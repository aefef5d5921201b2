#!/usr/bin/env bash
# VM suite (issue #16): an `mh` real server that is down when its service is created gets the same slots as one that
# went down later, so two directors whose histories differ send every flow to the same real server. The kernel gives
# a destination its mh slots by the weight it was added with or last set to above 0 (last_weight); Vigil adds an
# inhibited dead server at its configured weight and sets it to 0 at once.
#
# One director, two virtual servers with the same pool (r1 r2 r3, NAT, mh with mh-port and mh-fallback,
# inhibit_on_failure): port 80's checkers have `alpha` (every real server starts dead, so r2, whose nginx never runs,
# is down since the service was created); port 81's have not (r2 starts alive and fails its check afterwards). The
# kernel fills mh tables from the destination list with fixed hash keys, so equal lists give equal tables whatever
# the service. Probing both services from the same 80 source ports must give the same real server for each.
# Control, made by hand with ipvsadm in the same kernel: two services, r2 added at weight 0 in one and at 1 then set
# to 0 in the other, disagree on some flows (that is what the check above would see without the fix).
set -u
cd "$(dirname "$0")/../.."
. scripts/demo/topology.sh
. scripts/lib/suite.sh

finish() {
  local rc=$?
  suite_failed "$rc" && suite_tail_logs 30 "$TOPO_DIR/director1.log"
  topo_cleanup
  suite_summary "mh slots vm tests" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the mh slots VM suite"
suite_need_ipvs
suite_need_tools nginx ipvsadm ip setsid python3
suite_need_vigil

topo_up 1 3 || { echo "error: cannot build the topology" >&2; exit 1; }
for k in 1 3; do topo_nginx_start "$k" || { echo "error: nginx r$k did not start" >&2; exit 1; }; done
conf="$TOPO_DIR/director1.conf"
vs() {
  local port=$1 alpha=$2 k
  printf 'virtual_server %s %s {\n    delay_loop 1\n    lb_algo mh\n    mh-port\n    mh-fallback\n    lb_kind NAT\n    protocol TCP\n' "$TOPO_VIP" "$port"
  for k in 1 2 3; do
    printf '    real_server 10.10.2.2%s 8080 {\n        weight 1\n        inhibit_on_failure\n' "$k"
    printf '        TCP_CHECK {\n            connect_timeout 1\n            retry 0\n%s        }\n    }\n' "$alpha"
  done
  echo "}"
}
{
  printf 'vrrp_instance VI_1 {\n    state MASTER\n    interface veth0\n    virtual_router_id 51\n    priority 150\n'
  printf '    virtual_ipaddress {\n        %s/24 dev veth0\n        10.10.2.1/24 dev veth1\n    }\n}\n' "$TOPO_VIP"
  vs 80 "            alpha
"
  vs 81 ""
} > "$conf"
topo_director_start 1 "$conf"
D=$(topo_ns_director 1)
weights() { ip netns exec "$D" ipvsadm -Ln -t "$TOPO_VIP:$1" | awk '$1 == "->" && $2 ~ /:8080$/ { printf "%s=%s ", $2, $4 }'; }
settled() {
  local want="10.10.2.21:8080=1 10.10.2.22:8080=0 10.10.2.23:8080=1 "
  [ "$(weights 80 | tr ' ' '\n' | sort | tr '\n' ' ')" = "$want" ] && [ "$(weights 81 | tr ' ' '\n' | sort | tr '\n' ' ')" = "$want" ]
}
check "both services settle with r1 and r3 up, r2 inhibited at weight 0" topo_wait 60 "the pools settled" settled

probe() { ip netns exec "$TOPO_NS_C" "$TOPO_PYTHON" -S scripts/e2e/mh-slots.py "$TOPO_VIP" "$1" 41000 80 > "$TOPO_DIR/probe$1.txt"; }
probe 80; probe 81
answered() { ! grep -q " -$" "$TOPO_DIR/probe$1.txt" && [ "$(wc -l < "$TOPO_DIR/probe$1.txt")" = 80 ]; }
check "every probe of port 80 is answered (mh-fallback skips r2)" answered 80
check "every probe of port 81 is answered" answered 81
differ=$(paste "$TOPO_DIR/probe80.txt" "$TOPO_DIR/probe81.txt" | awk '$2 != $4' | wc -l)
spread=$(awk '{ print $2 }' "$TOPO_DIR/probe80.txt" | sort | uniq -c | tr -s ' ' | tr '\n' ',')
echo "     port 80 spread:$spread flows sent differently by the two services: $differ of 80"
check "the two histories send every flow to the same real server" [ "$differ" = 0 ]

# Control: the kernel's rule, by hand, without Vigil's order of commands.
for p in 82 83; do
  ip netns exec "$D" ipvsadm -A -t "$TOPO_VIP:$p" -s mh -b mh-port,mh-fallback
  for k in 3 2 1; do
    w=1; [ "$k" = 2 ] && [ "$p" = 82 ] && w=0
    ip netns exec "$D" ipvsadm -a -t "$TOPO_VIP:$p" -r "10.10.2.2$k:8080" -m -w "$w"
  done
done
ip netns exec "$D" ipvsadm -e -t "$TOPO_VIP:83" -r 10.10.2.22:8080 -m -w 0
probe 82; probe 83
control=$(paste "$TOPO_DIR/probe82.txt" "$TOPO_DIR/probe83.txt" | awk '$2 != $4' | wc -l)
echo "     by hand: added at 0 against set to 0 later: $control of 80 flows sent differently"
check "control: without the add-then-set, the kernel's two tables disagree (the check above can fail)" [ "$control" -gt 0 ]
same81=$(paste "$TOPO_DIR/probe81.txt" "$TOPO_DIR/probe83.txt" | awk '$2 != $4' | wc -l)
check "control: the hand-made 'set to 0 later' service agrees with Vigil's ($same81 of 80 differ)" [ "$same81" = 0 ]
for p in 82 83; do ip netns exec "$D" ipvsadm -D -t "$TOPO_VIP:$p"; done
