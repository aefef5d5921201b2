#!/usr/bin/env bash
# IPVS benchmark (run inside the lab VM by `make bench-ipvs`): install N services x 10
# destinations into an empty table with
#   a) `vigil ipvs apply -f table.conf`,
#   b) keepalived --check on the same file (no checkers: real servers are installed at
#      start); time from start until the whole table is visible,
#   c) `ipvsadm -R` of the same table,
# then d) change 1% of the weights (changed.conf) and re-apply with vigil: operations
# issued and time. Prints seconds and ratios measured in this one run, and fails loudly
# when any tool's table ends up incomplete.
#
# Each tool gets its own fresh network namespace (its own IPVS table), flushed and
# deleted before the next tool starts: the 6.1 kernel keeps every namespace's services
# in one global hash and /proc/net/ip_vs walks it with a position counter that skips
# entries when other namespaces hold services too — with vigil's table still present,
# /proc counted 4,980 of ipvsadm's 10,000 destinations and never saw keepalived's table
# complete (last session). Final counts come from `ipvsadm -Ln` (netlink), which is
# namespace-correct; /proc/net/ip_vs is only used for the cheap keepalived poll while
# that namespace is the only one with services.
set -euo pipefail
N=${VIGIL_BENCH_SERVICES:-1000}
D=10
bin=${VIGIL_BENCH_BIN:-${VIGIL_BIN:-$(pwd)/.build/debug/vigil}}
poll_limit=${VIGIL_BENCH_KEEPALIVED_TIMEOUT:-600}
work=$(mktemp -d /tmp/vigil-bench.XXXXXX)
nss=()
cleanup() {
  if [ -s "$work/keepalived.pgid" ]; then kill -TERM -- "-$(cat "$work/keepalived.pgid")" 2>/dev/null || true; fi
  for ns in "${nss[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
[ -x "$bin" ] || { echo "bench-ipvs: FAIL: no vigil binary at $bin" >&2; exit 1; }
modprobe ip_vs; modprobe ip_vs_wrr
# /usr/bin/python3, not whatever PATH finds first (a pyenv shim costs seconds under TCG)
py=/usr/bin/python3
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b - a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
fresh() { ip netns add "$1"; nss+=("$1"); ip -n "$1" link set lo up; }
drop() { ip netns exec "$1" ipvsadm -C; ip netns del "$1"; }
# "services destinations" as netlink reports them (ipvsadm -Ln)
counts() { ip netns exec "$1" ipvsadm -Ln | awk '/^(TCP|UDP|SCTP|FWM) /{s++} /^  -> / && !/RemoteAddress/{d++} END{print s+0, d+0}'; }
total=$((N * D))
require() {  # NS TOOL: the table must hold exactly N services and N*D destinations
  local c; c=$(counts "$1")
  if [ "$c" != "$N $total" ]; then
    echo "bench-ipvs: FAIL: $2 left the table incomplete: $c (services destinations), expected $N $total" >&2
    exit 1
  fi
  echo "  table check ($2): $N services, $total destinations (ipvsadm -Ln)"
}

"$py" - "$N" "$D" "$work" <<'PY'
import sys
n, d, w = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
assert n <= 65536
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
# keepalived poller: starts keepalived itself (t0 just before the start), counts
# destination lines of /proc/net/ip_vs every 20 ms, prints the elapsed seconds.
cat > "$work/poll.py" <<'PY'
import os, re, signal, subprocess, sys, time
total, limit, work = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
dest = re.compile(rb"^  -> [0-9A-F]+:", re.M)
def count():
    with open("/proc/net/ip_vs", "rb") as f: return len(dest.findall(f.read()))
cmd = [f"{work}/bin/keepalived", "-n", "-l", "-D", "-G", "--check", "-f", f"{work}/table.conf",
       "-p", f"{work}/k.pid", "-c", f"{work}/kc.pid", "-r", f"{work}/kv.pid"]
log = open(f"{work}/keepalived.log", "wb")
t0 = time.time()
p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
open(f"{work}/keepalived.pgid", "w").write(str(p.pid))
seen, first = 0, None
while time.time() - t0 < limit:
    seen = count()
    if seen and first is None: first = time.time() - t0
    if seen >= total or p.poll() is not None: break
    time.sleep(0.02)
elapsed = time.time() - t0
# Count through netlink before stopping keepalived (it removes its services on SIGTERM).
listing = subprocess.run(["ipvsadm", "-Ln"], capture_output=True).stdout.decode()
services = sum(1 for l in listing.splitlines() if re.match(r"(TCP|UDP|SCTP|FWM) ", l))
dests = sum(1 for l in listing.splitlines() if l.startswith("  -> ") and "RemoteAddress" not in l)
os.killpg(p.pid, signal.SIGTERM)
try: p.wait(timeout=30)
except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL); p.wait()
os.remove(f"{work}/keepalived.pgid")
print(f"{elapsed:.2f} {seen} {first if first is not None else -1:.2f} {services} {dests}")
PY

echo "bench-ipvs: $N services x $D destinations ($((N + total)) objects); vigil=$bin"
# The guest reads the host root over 9p (cache=loose, the repository cache=mmap): a binary's first start still
# faults its pages in over 9p. So every timed tool runs from the guest's tmpfs, as from a local disk: its binary
# and all its libraries are copied to $work first.
mkdir -p "$work/bin" "$work/lib"
localize() {  # PATH-OF-BINARY -> copies it and its libraries
  cp "$1" "$work/bin/"
  ldd "$1" | awk '/=> \//{print $3}' | while read -r l; do [ -e "$work/lib/$(basename "$l")" ] || cp "$l" "$work/lib/"; done
}
localize "$bin"; localize "$(command -v keepalived)"; localize "$(command -v ipvsadm)"
export LD_LIBRARY_PATH="$work/lib"
bin="$work/bin/$(basename "$bin")"
"$bin" --help > /dev/null; "$work/bin/keepalived" --version > /dev/null 2>&1 || true
"$work/bin/ipvsadm" --version > /dev/null 2>&1 || true; "$py" -c 'import re, subprocess'
ip netns add vbw; nss+=(vbw); ip netns exec vbw "$bin" ipvs list > /dev/null; ip netns del vbw
echo "  guest: $(uname -r), $(nproc) CPU"

# a) vigil, then d) the 1% change on the same table
fresh vb1
t0=$(now); ip netns exec vb1 "$bin" ipvs apply --quiet --timing --state "$work/owned" -f "$work/table.conf" > "$work/vigil.out" 2> "$work/vigil.err" || {
  echo "bench-ipvs: FAIL: vigil ipvs apply exited $?" >&2; cat "$work/vigil.err" >&2; exit 1; }
t1=$(now)
vigil_s=$(secs "$t0" "$t1")
echo "a) vigil ipvs apply:      ${vigil_s} s   [$(cat "$work/vigil.out")]"
sed 's/^/     /' "$work/vigil.err"
require vb1 vigil
t0=$(now); ip netns exec vb1 "$bin" ipvs apply --timing --state "$work/owned" -f "$work/changed.conf" > "$work/change.out" 2> "$work/change.err"; t1=$(now)
change_s=$(secs "$t0" "$t1")
edits=$(grep -c '^-e ' "$work/change.out" || true)
echo "d) 1% weight change:      ${change_s} s   [$(tail -n1 "$work/change.out")], of which editDestination: $edits (expected $((total / 100)) of $((N + total)) objects)"
sed 's/^/     /' "$work/change.err"
ops=$(tail -n1 "$work/change.out" | awk '{print $1}')
[ "$ops" = "$((total / 100))" ] || { echo "bench-ipvs: FAIL: the 1% change issued $ops operations, expected $((total / 100))" >&2; exit 1; }
t0=$(now); out=$(ip netns exec vb1 "$bin" ipvs apply --quiet --timing --state "$work/owned" -f "$work/changed.conf" 2> "$work/again.err"); t1=$(now)
echo "   re-apply (no change):  $(secs "$t0" "$t1") s   [$out]"
sed 's/^/     /' "$work/again.err"
drop vb1

# c) ipvsadm -R
fresh vb2
t0=$(now); rc=0; ip netns exec vb2 "$work/bin/ipvsadm" -R < "$work/ipvsadm.rules" 2> "$work/ipvsadm.err" || rc=$?; t1=$(now)
ipvsadm_s=$(secs "$t0" "$t1")
echo "c) ipvsadm -R:            ${ipvsadm_s} s   (exit $rc, $(wc -l < "$work/ipvsadm.err") error lines)"
head -3 "$work/ipvsadm.err" >&2
require vb2 "ipvsadm -R"
drop vb2

# b) keepalived --check
fresh vb3
ip netns exec vb3 "$py" "$work/poll.py" "$total" "$poll_limit" "$work" > "$work/poll.out"
read -r keepalived_s seen first ksvc kdst < "$work/poll.out"
if [ "$seen" -lt "$total" ] || [ "$ksvc $kdst" != "$N $total" ]; then
  echo "bench-ipvs: FAIL: keepalived's table incomplete after ${keepalived_s} s: /proc showed $seen destinations," \
    "ipvsadm -Ln $ksvc services $kdst destinations (expected $N $total)" >&2
  tail -20 "$work/keepalived.log" >&2; exit 1
fi
echo "b) keepalived --check:    ${keepalived_s} s   (until all $total destinations are visible; first one after ${first} s)"
echo "  table check (keepalived): $ksvc services, $kdst destinations (ipvsadm -Ln, before stopping it)"
drop vb3

echo "ratio keepalived/vigil:   $(ratio "$keepalived_s" "$vigil_s")x"
echo "ratio ipvsadm-R/vigil:    $(ratio "$ipvsadm_s" "$vigil_s")x"
echo "bench-ipvs: OK"
