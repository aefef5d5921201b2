#!/usr/bin/env bash
# IPVS benchmark (run inside the lab VM by `make bench-ipvs`): install N services x 10
# destinations into an empty table (each tool in its own fresh network namespace, so its
# own empty IPVS table) with `vigil ipvs apply`, keepalived --check (same virtual servers,
# no checkers; time until the whole table is visible in /proc/net/ip_vs) and
# `ipvsadm -R`, then change 1% of the weights and re-apply with vigil.
# Prints seconds and ratios measured in this one run.
set -euo pipefail
N=${VIGIL_BENCH_SERVICES:-1000}
D=10
bin=${VIGIL_BENCH_BIN:-${VIGIL_BIN:-$(pwd)/.build/debug/vigil}}
work=$(mktemp -d /tmp/vigil-bench.XXXXXX)
nss=(); kpg=
cleanup() {
  [ -n "$kpg" ] && kill -TERM -- "-$kpg" 2>/dev/null || true
  for ns in "${nss[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
modprobe ip_vs; modprobe ip_vs_wrr
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
fresh() { ip netns add "$1"; nss+=("$1"); ip -n "$1" link set lo up; }
lines() { ip netns exec "$1" cat /proc/net/ip_vs | grep -cE -- '-> [0-9A-F]+:' || true; }

python3 - "$N" "$D" "$work" <<'PY'
import sys
n, d, w = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def vip(i): return f"10.{100 + i // 65536}.{i // 256 % 256}.{i % 256}"
def rip(i, j): return f"10.{200 + j}.{i // 256 % 256}.{i % 256}"
for name, bump in (("table", False), ("changed", True)):
    with open(f"{w}/{name}.conf", "w") as f:
        for i in range(n):
            f.write(f"virtual_server {vip(i)} 80 {{\n    lb_algo wrr\n    lb_kind DR\n    protocol TCP\n")
            for j in range(d):
                weight = 1
                if bump and (i * d + j) % 100 == 0: weight = 2
                f.write(f"    real_server {rip(i, j)} 80 {{\n        weight {weight}\n    }}\n")
            f.write("}\n")
with open(f"{w}/ipvsadm.rules", "w") as f:
    for i in range(n):
        f.write(f"-A -t {vip(i)}:80 -s wrr\n")
        for j in range(d):
            f.write(f"-a -t {vip(i)}:80 -r {rip(i, j)}:80 -g -w 1\n")
PY
total=$((N * D))
echo "bench-ipvs: $N services x $D destinations ($((N + total)) objects), vigil=$bin"

# vigil
fresh vb1
t0=$(now); ip netns exec vb1 "$bin" ipvs apply --quiet --timing -f "$work/table.conf"; t1=$(now)
vigil_s=$(secs "$t0" "$t1"); echo "vigil ipvs apply:        ${vigil_s} s"
[ "$(lines vb1)" -eq "$total" ] || { echo "vigil: table incomplete ($(lines vb1) of $total)" >&2; exit 1; }

# ipvsadm -R
fresh vb2
t0=$(now); ip netns exec vb2 ipvsadm -R < "$work/ipvsadm.rules" 2> "$work/ipvsadm.err" || echo "ipvsadm -R exited $?" >&2; t1=$(now)
head -3 "$work/ipvsadm.err" >&2
ipvsadm_s=$(secs "$t0" "$t1"); echo "ipvsadm -R:              ${ipvsadm_s} s"
[ "$(lines vb2)" -eq "$total" ] || echo "WARNING: ipvsadm -R left the table incomplete ($(lines vb2) of $total destinations)" >&2

# keepalived --check: time from start until every destination is visible
fresh vb3
t0=$(now)
setsid ip netns exec vb3 keepalived -n -l -D -G --check -f "$work/table.conf" \
  -p "$work/k.pid" -c "$work/kc.pid" -r "$work/kv.pid" > "$work/keepalived.log" 2>&1 &
kpg=$!
for _ in $(seq 1 3000); do [ "$(lines vb3)" -ge "$total" ] && break; sleep 0.05; done
t1=$(now)
[ "$(lines vb3)" -ge "$total" ] || { echo "keepalived: table incomplete" >&2; tail "$work/keepalived.log" >&2; exit 1; }
keepalived_s=$(secs "$t0" "$t1")
kill -TERM -- "-$kpg" 2>/dev/null || true; kpg=
echo "keepalived --check:      ${keepalived_s} s (until the whole table is visible)"
echo "ratio keepalived/vigil:  $(ratio "$keepalived_s" "$vigil_s")x"
echo "ratio ipvsadm-R/vigil:   $(ratio "$ipvsadm_s" "$vigil_s")x"

# 1% weight change, applied by vigil on its own table
t0=$(now); out=$(ip netns exec vb1 "$bin" ipvs apply --quiet --timing -f "$work/changed.conf"); t1=$(now)
echo "1% weight change:        $out in $(secs "$t0" "$t1") s (expected $((total / 100)) edits)"
t0=$(now); out=$(ip netns exec vb1 "$bin" ipvs apply --quiet --timing -f "$work/changed.conf"); t1=$(now)
echo "re-apply (no change):    $out in $(secs "$t0" "$t1") s"
