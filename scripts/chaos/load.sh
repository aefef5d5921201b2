#!/usr/bin/env bash
# Load run (issue #18): N real servers (default 10,000: 100 virtual servers of 100) with TCP_CHECK at delay_loop 1,
# checked by `vigil run -C` for DURATION seconds (default 600) while the configuration is reloaded every RELOAD
# seconds (default 2), all in a network namespace the script creates (and removes); the real servers are addresses
# on its loopback (127.1.x.y:8080) answered by one nginx.
# Each reload changes the configuration: the weight of one real server flips between 1 and 2 (a different one each
# time), and every tenth reload adds or removes a virtual server of 10 more real servers.
# Measured (printed, and the run fails when one is broken):
#   - flaps: DOWN lines of real servers that answer all along (must be 0);
#   - reloads: for each, the time from its SIGHUP to the IPVS command that applies its weight change (the log line),
#     median, p99 and max against the bound (must be under RELOAD: applied before the next one);
#   - checks per second (vigil_checks_total from /metrics at start and end) and failed checks (must be 0);
#   - RSS and open descriptors every 10 s: the first minute's median against the last minute's (flat: RSS within
#     LOAD_RSS_DRIFT %, default 10; descriptors within 2 %), threads, CPU as % of one core.
# The kernel on the project's host has no IPVS and the emulated lab VM cannot check 10,000 servers a second, so the
# table is kept in memory (VIGIL_BENCH_IPVS=memory; the reconciles are planned and applied to it as to the kernel:
# what is measured is the checks, the reloads and the reconciles, not the kernel's writes, which make bench-ipvs
# measures). keepalived cannot be the reference for the same reason: its checker exits without IPVS.
# Usage (root): scripts/chaos/load.sh [N] [DURATION] [RELOAD]
#   VIGIL_BENCH_BIN=path (default .build-release/release/vigil), LOAD_KEEP=DIR keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
DURATION=${2:-600}
RELOAD=${3:-2}
VIGIL=${VIGIL_BENCH_BIN:-.build-release/release/vigil}
DRIFT=${LOAD_RSS_DRIFT:-10}
[ "$(id -u)" = 0 ] || { echo "bench-load: needs root (network namespace)" >&2; exit 1; }
[ -x "$VIGIL" ] || { echo "bench-load: no vigil binary at $VIGIL (make build-release)" >&2; exit 1; }
for t in nginx curl python3 ip; do command -v "$t" >/dev/null || { echo "bench-load: $t missing (scripts/install-deps.sh)" >&2; exit 1; }; done
[ "$N" -ge 100 ] && [ $((N % 100)) -eq 0 ] || { echo "bench-load: N must be a multiple of 100" >&2; exit 1; }
VS=$((N / 100))
ns=vigil-load-$$
work=$(mktemp -d /tmp/vigil-load.XXXXXX)
vigil_pg="" nginx_pid=""
cleanup() {
  set +e
  [ -n "$vigil_pg" ] && kill -TERM -- "-$vigil_pg" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  sleep 1
  [ -n "$vigil_pg" ] && kill -KILL -- "-$vigil_pg" 2>/dev/null
  ip netns del "$ns" 2>/dev/null || true
  if [ -n "${LOAD_KEEP:-}" ]; then mkdir -p "$LOAD_KEEP" && cp -r "$work"/. "$LOAD_KEEP"/; fi
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
. scripts/lib/nginx204.sh
nginx204_start "$ns" "$work/nginx" || exit 1
nginx_pid=$NGINX204_PID

# The real server whose weight reload ROUND changes (ROUND ≥ 1): odd rounds set it to 2, the next one back to 1.
flipped() { echo $(( ($1 - 1) / 2 % N )); }
# config ROUND: the configuration of reload ROUND (0 at start), written by python (a shell loop over 10,000
# servers takes seconds).
config() {
  python3 - "$1" "$N" "$VS" "$work/keepalived.conf.new" <<'PY'
import sys
rnd, n, vs, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
flip = (rnd - 1) // 2 % n if rnd > 0 else -1
extra = (rnd // 10) % 2
out = ["global_defs { router_id load }"]
for v in range(vs + extra):
    out += [f"virtual_server 10.200.{v // 250}.{v % 250 + 1} 80 {{", "  delay_loop 1", "  lb_algo wrr", "  lb_kind NAT",
            "  protocol TCP"]
    for r in range(100 if v < vs else 10):
        w = 2 if v * 100 + r == flip and rnd % 2 == 1 else 1
        out.append(f"  real_server 127.1.{v}.{r + 1} 8080 {{ weight {w} TCP_CHECK {{ connect_timeout 1 retry 1 delay_before_retry 1 }} }}")
    out.append("}")
open(path, "w").write("\n".join(out) + "\n")
PY
  mv "$work/keepalived.conf.new" "$work/keepalived.conf"
}

config 0
echo "bench-load: $N real servers in $VS virtual servers, delay_loop 1, reload every $RELOAD s for $DURATION s ($VIGIL)"
setsid ip netns exec "$ns" env VIGIL_BENCH_IPVS=memory "$VIGIL" run -C -n -l -D --no-syslog -f "$work/keepalived.conf" \
  -p "$work/vigil.pid" > "$work/vigil.log" 2>&1 &
vigil_pg=$!
for _ in $(seq 300); do [ -s "$work/vigil.pid" ] && break; sleep 0.1; done
pid=$(cat "$work/vigil.pid" 2>/dev/null || true)
[ -n "$pid" ] || { echo "vigil did not start" >&2; tail -20 "$work/vigil.log" >&2; exit 1; }
metric() {  # the sum of the samples whose line starts with $1
  ip netns exec "$ns" curl -fsS --max-time 10 http://127.0.0.1:9678/metrics | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { print s + 0 }'
}
up_all() { [ "$(ip netns exec "$ns" curl -fsS --max-time 10 http://127.0.0.1:9678/status | python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(1 for v in s["virtualServers"] for r in v["realServers"] if r["health"]=="UP"))')" -ge "$N" ]; }
for _ in $(seq 120); do up_all 2>/dev/null && break; sleep 1; done
up_all || { echo "bench-load: not every real server is UP after 120 s" >&2; exit 1; }
echo "bench-load: every real server UP; reloading every $RELOAD s"

sample() {  # seconds-since-start RSS_kB fds threads cpu_ticks
  echo "$1 $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") $(ls "/proc/$pid/fd" | wc -l) $(awk '/^Threads/ {print $2}' "/proc/$pid/status") $(awk '{print $14 + $15}' "/proc/$pid/stat")"
}
checks0=$(metric 'vigil_checks_total{'); fails0=$(metric 'vigil_checks_total{checker="TCP_CHECK",result="failure"}')
start=$(date +%s); round=0; next_sample=0
: > "$work/reloads.txt"; : > "$work/samples.txt"
while :; do
  now=$(( $(date +%s) - start ))
  [ "$now" -ge "$DURATION" ] && break
  if [ "$now" -ge "$next_sample" ]; then sample "$now" >> "$work/samples.txt"; next_sample=$((next_sample + 10)); fi
  kill -0 "$pid" 2>/dev/null || { echo "bench-load: vigil died" >&2; tail -20 "$work/vigil.log" >&2; exit 1; }
  round=$((round + 1))
  config "$round"
  flip=$(flipped "$round"); w=1; [ $((round % 2)) -eq 1 ] && w=2
  # Reload time (ms, wall clock as the log's), the virtual server and the real server whose weight changes, and w.
  echo "$(date +%s%3N) 10.200.$(( (flip / 100) / 250 )).$(( (flip / 100) % 250 + 1 )):80 127.1.$((flip / 100)).$((flip % 100 + 1)):8080 $w" >> "$work/reloads.txt"
  kill -HUP "$pid"
  sleep "$RELOAD"
done
sample "$(( $(date +%s) - start ))" >> "$work/samples.txt"
checks1=$(metric 'vigil_checks_total{'); fails1=$(metric 'vigil_checks_total{checker="TCP_CHECK",result="failure"}')
elapsed=$(( $(date +%s) - start ))

python3 - "$work" "$N" "$RELOAD" "$DRIFT" "$elapsed" "$checks0" "$checks1" "$fails0" "$fails1" <<'PY'
import datetime, os, re, statistics, sys
work, n, bound, drift, elapsed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
checks0, checks1, fails0, fails1 = (float(x) for x in sys.argv[6:10])
log = open(os.path.join(work, "vigil.log"), errors="replace").read().splitlines()
stamp = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")
def ms(line):
    m = stamp.match(line)
    if not m: return None
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() * 1000
edits = []
for line in log:
    if "ipvs: -e -t " in line:
        t = ms(line)
        if t is not None: edits.append((t, line))
delays, missing = [], 0
for row in open(os.path.join(work, "reloads.txt")):
    sent, vs, rs, w = row.split()
    sent = float(sent)
    hit = next((t for t, line in edits if t >= sent and f"-t {vs} -r {rs}" in line and f"-w {w}" in line), None)
    if hit is None: missing += 1
    else: delays.append((hit - sent) / 1000)
flaps = [l for l in log if re.search(r"real server \S+ DOWN", l)]
samples = [tuple(float(x) for x in l.split()) for l in open(os.path.join(work, "samples.txt")) if l.strip()]
first = [s for s in samples if s[0] <= 60] or samples[:1]
last = [s for s in samples if s[0] >= samples[-1][0] - 60] or samples[-1:]
rss0, rss1 = statistics.median(s[1] for s in first), statistics.median(s[1] for s in last)
fd0, fd1 = statistics.median(s[2] for s in first), statistics.median(s[2] for s in last)
cpu = (samples[-1][4] - samples[0][4]) / os.sysconf("SC_CLK_TCK") / max(samples[-1][0] - samples[0][0], 1) * 100
rate = (checks1 - checks0) / max(elapsed, 1)
delays.sort()
p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] if delays else float("nan")
print(f"reloads: {len(delays) + missing} sent, {len(delays)} applied (median {p(0.5):.3f} s, p99 {p(0.99):.3f} s, max {max(delays) if delays else float('nan'):.3f} s; bound {bound:.1f} s), {missing} not applied")
print(f"flaps (DOWN of servers that answer): {len(flaps)}")
print(f"checks: {rate:,.0f}/s ({n:,} servers, delay_loop 1), failed {fails1 - fails0:.0f}")
print(f"RSS: {rss0 / 1024:.1f} MiB in the first minute, {rss1 / 1024:.1f} MiB in the last ({(rss1 - rss0) / rss0 * 100:+.1f} %, allowed {drift:.0f} %)")
print(f"descriptors: {fd0:.0f} then {fd1:.0f}; threads {samples[-1][3]:.0f}; CPU {cpu:.1f} % of one core over {elapsed:.0f} s")
load = open("/proc/loadavg").read().split()[:3]
print(f"load average at the end: {' '.join(load)} ({os.cpu_count()} CPUs)")
ok = (missing == 0 and not flaps and delays and max(delays) < bound and fails1 - fails0 == 0
      and (rss1 - rss0) / rss0 * 100 <= drift and fd1 <= fd0 * 1.02 + 2)
for l in flaps[:5]: print("  flap:", l)
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
