#!/usr/bin/env bash
# VM suite (issue #16): an `mh` pool's destination order is kept canonical without breaking connections. One `vigil
# run` director with `lb_algo mh` in front of three nginx (the NAT lab of scripts/demo/topology.sh), 30 keep-alive
# connections through it (all on one real server: mh hashes the client's address), then the order drifted by hand
# (a destination deleted and added again goes to the head of the kernel's list). Checks: the list is canonical at
# start (`ipvsadm -Ln --nosort`: by address, descending), Vigil's periodic check (every 30 s) finds the drift, logs
# one line naming the service and both orders, and re-adds the destinations out of place, the one carrying the
# connections among them; every connection survives. Run inside the qemu lab; everything is removed on exit.
set -u
cd "$(dirname "$0")/../.."
. scripts/demo/topology.sh
. scripts/lib/suite.sh

conns_pid=""
finish() {
  local rc=$?
  [ -n "$conns_pid" ] && kill "$conns_pid" 2>/dev/null
  suite_failed "$rc" && suite_tail_logs 30 "$TOPO_DIR/director1.log"
  topo_cleanup
  suite_summary "mh order vm tests" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the mh order VM suite"
suite_need_ipvs
suite_need_tools nginx ipvsadm ip setsid python3
suite_need_vigil

topo_up 1 3 || { echo "error: cannot build the topology" >&2; exit 1; }
for k in 1 2 3; do topo_nginx_start "$k" || { echo "error: nginx r$k did not start" >&2; exit 1; }; done
conf=$(topo_config 1 MASTER 150 3)
sed -i 's/lb_algo rr/lb_algo mh/' "$conf"
topo_director_start 1 "$conf"
D=$(topo_ns_director 1)
order() { ip netns exec "$D" ipvsadm -Ln --nosort | awk '$1 == "->" && $2 ~ /:8080$/ { printf "%s ", $2 }'; }
canonical="10.10.2.23:8080 10.10.2.22:8080 10.10.2.21:8080 "
is_canonical() { [ "$(order)" = "$canonical" ]; }
three() { [ "$(topo_ipvs_reals 1 | wc -l)" -eq 3 ]; }
check "the director installs the mh pool of 3" topo_wait 60 "3 real servers" three
check "the kernel lists it in the canonical order (by address, descending)" is_canonical

ctl="$TOPO_DIR/conns"; mkdir -p "$ctl"; out="$TOPO_DIR/conns.out"
ip netns exec "$TOPO_NS_C" "$TOPO_PYTHON" -S -u scripts/director/conns.py "$TOPO_VIP" 80 30 "$ctl" --interval 0.5 \
  > "$out" 2>"$out.err" &
conns_pid=$!
check "30 keep-alive connections are answered" topo_wait 60 "30 connections" grep -q "^ready 30" "$out"
carrier=$(ip netns exec "$D" ipvsadm -Ln | awk '$1 == "->" && $2 ~ /:8080$/ && $5 + 0 > 0 { print $2 }')
ip netns exec "$D" ipvsadm -d -t "$TOPO_VIP:80" -r 10.10.2.21:8080
ip netns exec "$D" ipvsadm -a -t "$TOPO_VIP:80" -r 10.10.2.21:8080 -m -w 1
check "drifted by hand: 10.10.2.21 at the head" [ "$(order)" = "10.10.2.21:8080 10.10.2.23:8080 10.10.2.22:8080 " ]
t0=$(date +%s)
check "Vigil's periodic check puts the canonical order back (within 35 s)" topo_wait 35 "canonical order" is_canonical
echo "     repaired after $(( $(date +%s) - t0 )) s; the connections were on $carrier"
check "one warning line names the service and both orders" \
  grep -q "ipvs: TCP $TOPO_VIP:80 (mh): destination order drifted (kernel lists 10.10.2.21:8080, 10.10.2.23:8080, 10.10.2.22:8080; every director must list 10.10.2.23:8080, 10.10.2.22:8080, 10.10.2.21:8080): 3 re-added in place" "$TOPO_DIR/director1.log"
sleep 3
touch "$ctl/stop"
check "the client ends with its report" topo_wait 15 "report" grep -q '"label": "end"' "$out"
survived() { "$TOPO_PYTHON" -c 'import json,sys; r=json.loads([l for l in open(sys.argv[1]) if "\"end\"" in l][-1]); print(r["survived"], r["longest_wait_ms"]); sys.exit(0 if r["survived"] == 30 else 1)' "$out"; }
check "every connection survived the repair (30 of 30; survivors, longest wait ms: $(survived))" survived
