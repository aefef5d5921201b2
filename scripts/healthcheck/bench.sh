#!/usr/bin/env bash
# HealthCheck benchmark: N real servers (default 10,000) on 127.0.0.1, half answering (nginx listening on
# those ports), half refusing (ports with no listener), TCP_CHECK with delay_loop 1, for DURATION seconds
# (default 60). Measures vigil's probe rate per 10 s window (drift), CPU seconds per 1,000 checks and peak RSS
# with /usr/bin/time -v, and compares them with the goals (on schedule, < 25% of one core, < 150 MB).
# Usage: scripts/healthcheck/bench.sh [N] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
DURATION=${2:-60}
HALF=$((N / 2))
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${VIGIL_BENCH_BIN:-}" ]; then
  VIGIL=$VIGIL_BENCH_BIN
else
  echo "building release vigil (scratch .build-hcbench)..."
  swift build -c release --product vigil --scratch-path .build-hcbench >/dev/null
  VIGIL=.build-hcbench/release/vigil
fi

# Answering servers: one nginx (C, epoll) listening on HALF ports of 127.0.0.1, its own prefix, stopped by PID.
python3 - "$HALF" > "$work/ports" <<'PY'
import socket, sys
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))
PY
mkdir -p "$work/nginx/logs"
{
  echo "worker_processes 1; worker_rlimit_nofile 65536; pid $work/nginx/nginx.pid; error_log $work/nginx/logs/error.log;"
  echo "events { worker_connections 16384; }"
  echo "http { access_log off; server {"
  for p in $(cat "$work/ports"); do echo "  listen 127.0.0.1:$p backlog=4096;"; done
  echo "  return 204; } }"
} > "$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" </dev/null >/dev/null 2>&1
for _ in $(seq 100); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.1; done
[ -s "$work/nginx/nginx.pid" ] || { echo "nginx did not start" >&2; cat "$work/nginx/logs/error.log" >&2; exit 1; }
server_pid=$(cat "$work/nginx/nginx.pid")

# Refusing ports: ports that had a listener a moment ago and now have none.
python3 - "$HALF" > "$work/closed" <<'PY'
import socket, sys
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))
PY

{
  echo "virtual_server 10.255.0.1 80 {"
  echo "  delay_loop 1"
  echo "  lb_algo rr"
  for p in $(cat "$work/ports") $(cat "$work/closed"); do
    echo "  real_server 127.0.0.1 $p { TCP_CHECK { connect_timeout ${BENCH_CONNECT_TIMEOUT:-1} retry 1 delay_before_retry 1 } }"
  done
  echo "}"
} > "$work/bench.conf"

echo "running $N TCP_CHECKs (delay_loop 1) for ${DURATION}s..."
quiet=--quiet
if [ -n "${BENCH_VERBOSE:-}" ]; then quiet=; fi
/usr/bin/time -v "$VIGIL" probe -f "$work/bench.conf" --watch "$DURATION" $quiet > "$work/out" 2> "$work/time"
cat "$work/out"
user=$(awk -F': ' '/User time/ {print $2}' "$work/time")
sys=$(awk -F': ' '/System time/ {print $2}' "$work/time")
rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time")
probes=$(sed -n 's/^summary: probes=\([0-9]*\).*/\1/p' "$work/out")
python3 - "$user" "$sys" "$rss" "$probes" "$DURATION" "$N" <<'PY'
import sys
user, sys_, rss_kb, probes, duration, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
cpu = user + sys_
print(f"checks: {probes} in {duration:.0f} s = {probes / duration:.0f}/s (ideal ≈ {n}/s at delay_loop 1 plus probe latency)")
print(f"CPU: {cpu:.2f} s = {100 * cpu / duration:.1f}% of one core (goal < 25%: ratio {cpu / duration / 0.25:.2f}); {1000 * cpu / max(probes, 1):.3f} CPU s per 1,000 checks")
print(f"peak RSS: {rss_kb / 1024:.1f} MB (goal < 150 MB: ratio {rss_kb / 1024 / 150:.2f})")
PY
