#!/usr/bin/env bash
# HealthCheck benchmark (issue #5): N real servers (default 10,000) with TCP_CHECK at delay_loop 1,
# connect_timeout 1, retry 1, delay_before_retry 1, checked by `vigil probe --watch` for DURATION seconds
# (default 60), all inside a network namespace the script creates (and removes):
#   - N/2 answering: 127.1.x.y:8080 and, for the death test, DIE servers on 10.98.x.y:8080 (/32 addresses on the
#     namespace's `lo`), all answered by one nginx listening on 0.0.0.0:8080 in the namespace;
#   - N/4 refusing: 127.2.x.y:8081 (no listener: RST);
#   - the rest black-holed: 10.99.x.y:80, routed through a veth pair to a next hop with a permanent, fake MAC
#     address: the frames reach the peer end, which drops them (not its MAC). No firewall, no reply, no ICMP.
#     (The host kernel has no `dummy` device.)
# At DURATION/2 the DIE addresses are deleted: those servers die like a powered-off host (SYNs now black-holed),
# and the time from the deletion to each DOWN event is compared with the bound the settings give:
# delay_loop + (retry+1)×connect_timeout + retry×delay_before_retry = 4 s.
# Reports checks/s, how late checks start against their due time (p50/p99/max), CPU (getrusage of vigil during the
# run) as % of one core and per 1,000 checks, peak RSS (/usr/bin/time -v), the load average, each against the goals
# (on schedule, < 25% of one core, < 150 MB). With BENCH_REFERENCE=1 (the default) it then runs the same servers
# through Vigil's previous TCP path (NIO channels, selected by VIGIL_BENCH_NIO_PATH=1 in vigil's environment) in the
# same run and prints the ratios.
# keepalived's checker cannot be the reference on this host: without IPVS in the kernel its checker process exits
# at start ("IPVS: Can't initialize ipvs"), see docs/healthcheck.md.
# Usage (root): scripts/healthcheck/bench.sh [N] [DURATION]
#   VIGIL_BENCH_BIN=path (default .build-release/release/vigil), BENCH_REFERENCE=0 skips the reference run,
#   BENCH_CONNECT_TIMEOUT=S, BENCH_VERBOSE=1 prints every state change, BENCH_CHECK=HTTP_GET checks `GET /` (nginx
#   answers 204) instead of TCP_CHECK (on the epoll engine too; the reference run is HTTP_GET on NIO channels).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
DURATION=${2:-60}
VIGIL=${VIGIL_BENCH_BIN:-.build-release/release/vigil}
TIMEOUT=${BENCH_CONNECT_TIMEOUT:-1}
CHECK=${BENCH_CHECK:-TCP_CHECK}
[ "$CHECK" = TCP_CHECK ] || [ "$CHECK" = HTTP_GET ] || { echo "BENCH_CHECK is TCP_CHECK or HTTP_GET" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench-healthcheck: needs root (network namespace)" >&2; exit 1; }
[ -x "$VIGIL" ] || { echo "bench-healthcheck: no vigil binary at $VIGIL (make build-release)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "bench-healthcheck: nginx missing (scripts/install-deps.sh)" >&2; exit 1; }

ANSWER=$((N / 2)); REFUSE=$((N / 4)); HOLE=$((N - ANSWER - REFUSE))
DIE=$((ANSWER / 50)); [ "$DIE" -gt 250 ] && DIE=250; [ "$DIE" -lt 1 ] && DIE=1
LOOP=$((ANSWER - DIE))
TOPOLOGY=${BENCH_TOPOLOGY:-netns}
[ "$TOPOLOGY" = netns ] || [ "$TOPOLOGY" = loopback ] || { echo "BENCH_TOPOLOGY is netns or loopback" >&2; exit 1; }
if [ "$TOPOLOGY" = netns ]; then
  command -v ethtool >/dev/null || { echo "bench-healthcheck: ethtool missing (scripts/install-deps.sh)" >&2; exit 1; }
fi
ns=vigil-hcbench-$$          # the director (vigil)
srv=vigil-hcsrv-$$           # the real servers (netns topology)
dev=hd$$                     # the director's end of the veth pair to the servers
work=$(mktemp -d)
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done; fi
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$srv" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# host i → "a.b" (the low two octets, skipping .0 and .255)
addr() { local i=$1; echo "$((i / 254)).$((i % 254 + 1))"; }

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add bh0 type veth peer name bh1
ip -n "$ns" link set bh0 up
ip -n "$ns" link set bh1 up
ip -n "$ns" address add 10.250.0.1/30 dev bh0
ip -n "$ns" neigh replace 10.250.0.2 lladdr 02:00:00:00:00:02 dev bh0 nud permanent
ip -n "$ns" route add 10.99.0.0/16 via 10.250.0.2 dev bh0
if [ "$TOPOLOGY" = netns ]; then
  ANSWER_NET=10.1; REFUSE_NET=10.2; server_ns=$srv
  ip netns add "$srv"
  ip -n "$srv" link set lo up
  ip -n "$ns" link add "$dev" type veth peer name hs0 netns "$srv"
  ip -n "$ns" address add 10.250.1.1/30 dev "$dev"
  ip -n "$srv" address add 10.250.1.2/30 dev hs0
  ip -n "$ns" link set "$dev" up
  ip -n "$srv" link set hs0 up
  # Threaded NAPI on both ends: each side's receive processing runs in its own kernel thread (napi/DEV-ID).
  # veth hands a packet to the peer's NAPI only with GRO on at the receiver and TSO off at the sender.
  ip netns exec "$ns" ethtool -K "$dev" gro on tso off >/dev/null
  ip netns exec "$srv" ethtool -K hs0 gro on tso off >/dev/null
  ip netns exec "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded"
  ip netns exec "$srv" sh -c "echo 1 > /sys/class/net/hs0/threaded"
  for net in 10.1.0.0/16 10.2.0.0/16 10.98.0.0/16; do ip -n "$ns" route add "$net" via 10.250.1.2 dev "$dev"; done
  ip -n "$srv" route add local 10.1.0.0/16 dev lo
  ip -n "$srv" route add local 10.2.0.0/16 dev lo
  ip -n "$srv" route add default via 10.250.1.1 dev hs0
  echo "route add local 10.98.0.0/16 dev lo" > "$work/addrs"
  echo "route del local 10.98.0.0/16 dev lo" > "$work/dels"
else
  ANSWER_NET=127.1; REFUSE_NET=127.2; server_ns=$ns
  ip -n "$ns" route add 10.98.0.0/16 via 10.250.0.2 dev bh0
  for ((i = 0; i < DIE; i++)); do echo "address add 10.98.$(addr "$i")/32 dev lo"; done > "$work/addrs"
  sed 's/^address add/address del/' "$work/addrs" > "$work/dels"
fi
ip -n "$server_ns" -batch "$work/addrs"

# The kernel threads receiving the director's and the servers' packets (netns topology).
napi_pid() { local f; for f in /proc/[0-9]*/comm; do [[ "$(cat "$f" 2>/dev/null)" == "napi/$1-"* ]] && { basename "$(dirname "$f")"; return; }; done; }
ticks() { if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }
dir_napi=""; srv_napi=""
if [ "$TOPOLOGY" = netns ]; then
  dir_napi=$(napi_pid "$dev"); srv_napi=$(napi_pid hs0)
  [ -n "$dir_napi" ] && [ -n "$srv_napi" ] || { echo "bench-healthcheck: no threaded NAPI thread on the veth pair" >&2; exit 1; }
fi

. scripts/lib/nginx204.sh
nginx204_start "$server_ns" "$work/nginx" || exit 1
nginx_pid=$NGINX204_PID
# CPU ticks of the servers' side: nginx (master and workers) and, in the netns topology, their receive thread.
servers_ticks() { local t=0 p; for p in $nginx_pid $(pgrep -P "$nginx_pid"); do t=$((t + $(ticks "$p"))); done; echo $((t + $(ticks "$srv_napi"))); }

{
  echo "virtual_server 10.255.0.1 80 {"
  echo "  delay_loop 1"
  echo "  lb_algo rr"
  echo "  lb_kind NAT"
  echo "  protocol TCP"
  if [ "$CHECK" = HTTP_GET ]; then
    rs() { echo "  real_server $1 $2 { HTTP_GET { url { path / status_code 204 } connect_timeout $TIMEOUT retry 1 delay_before_retry 1 } }"; }
  else
    rs() { echo "  real_server $1 $2 { TCP_CHECK { connect_timeout $TIMEOUT retry 1 delay_before_retry 1 } }"; }
  fi
  for ((i = 0; i < LOOP; i++)); do rs "$ANSWER_NET.$(addr "$i")" 8080; done
  for ((i = 0; i < DIE; i++)); do rs "10.98.$(addr "$i")" 8080; done
  for ((i = 0; i < REFUSE; i++)); do rs "$REFUSE_NET.$(addr "$i")" 8081; done
  for ((i = 0; i < HOLE; i++)); do rs "10.99.$(addr "$i")" 80; done
  echo "}"
} > "$work/bench.conf"

# run NAME [extra vigil flags...]: one measured run; the DIE servers die at DURATION/2.
run() {
  local name=$1; shift
  local quiet=--quiet
  [ -n "${BENCH_VERBOSE:-}" ] && quiet=
  ip -n "$server_ns" -batch "$work/addrs" 2>/dev/null || true   # (re)add the dying servers
  echo "== $name: $N ${CHECK}s for ${DURATION}s ($LOOP + $DIE answering, $REFUSE refusing, $HOLE black-holed; topology $TOPOLOGY)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # "$@": environment assignments for vigil (the reference run's VIGIL_BENCH_NIO_PATH=1).
  ip netns exec "$ns" env "$@" /usr/bin/time -v "$VIGIL" probe -f "$work/bench.conf" --watch "$DURATION" $quiet \
    --events-matching "10.98." > "$work/out.$name" 2> "$work/time.$name" &
  local pid=$!
  # The watch starts once the config is loaded: wait for its first line, then kill at DURATION/2 of the watch.
  local t0; t0=$(date +%s.%N)
  while kill -0 "$pid" 2>/dev/null && ! grep -q "^event" "$work/out.$name"; do sleep 0.05; done
  local napi0 servers0; napi0=$(ticks "$dir_napi"); servers0=$(servers_ticks)
  sleep "$(python3 -c "print($DURATION / 2)")"
  local killed; killed=$(date +%s.%N)
  ip -n "$server_ns" -batch "$work/dels"
  echo "load at the death: $(cut -d' ' -f1-3 /proc/loadavg)"
  wait "$pid" || { echo "vigil failed:" >&2; cat "$work/time.$name" >&2; return 1; }
  local napi_s servers_s hz; hz=$(getconf CLK_TCK)
  napi_s=$(python3 -c "print(($(ticks "$dir_napi") - $napi0) / $hz)"); servers_s=$(python3 -c "print(($(servers_ticks) - $servers0) / $hz)")
  grep -v "^event" "$work/out.$name" || true
  [ -n "${BENCH_VERBOSE:-}" ] && grep "^event" "$work/out.$name" | tail -5
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$work/out.$name" "$work/time.$name" "$killed" "$DIE" "$TIMEOUT" "$name" "$work/summary" "$TOPOLOGY" "$napi_s" "$servers_s" \
    "$N" "$REFUSE" "$HOLE" <<'PY'
import re, sys
out, timefile, killed, die, timeout, name, summary = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
topology, napi_s, servers_s = sys.argv[8], float(sys.argv[9]), float(sys.argv[10])
n, refuse, hole = int(sys.argv[11]), int(sys.argv[12]), int(sys.argv[13])
text = open(out).read()
tv = open(timefile).read()
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv).group(1))
user_s = float(re.search(r"User time \(seconds\): ([\d.]+)", tv).group(1))
sys_s = float(re.search(r"System time \(seconds\): ([\d.]+)", tv).group(1))
m = re.search(r"summary: probes=(\d+) finished=(\d+) seconds=([\d.]+) rate=(\d+)", text)
probes, seconds = int(m.group(1)), float(m.group(3))
lat = re.search(r"lateness: p50=([\d.]+) p99=([\d.]+) p99.9=([\d.]+) max=([\d.]+)", text)
vigil_cpu = float(re.search(r"cpu: ([\d.]+) s", text).group(1))
cpu = vigil_cpu + napi_s   # the director's share: vigil and, over veth, its own receive thread
downs = []
for line in text.splitlines():
    f = line.split(" ", 3)
    if f[0] == "event" and float(f[1]) > killed and " DOWN: " in line:
        downs.append(float(f[1]) - killed)
bound = 1 + 2 * timeout + 1  # delay_loop + (retry+1)×connect_timeout + retry×delay_before_retry
downs.sort()
print(f"checks: {probes} in {seconds:.1f} s = {probes / seconds:.0f}/s")
# Every server is announced once, the refusing and black-holed ones go DOWN once, the dying ones once: any other
# state change is a flap of a server that kept answering (BENCH_VERBOSE=1 prints them all).
events = int(re.search(r"events=(\d+)", text).group(1))
expected = n + refuse + hole + die
print(f"state changes: {events}, expected {expected} ({events - expected:+d}: {'no flap' if events == expected else 'flaps of answering servers, see BENCH_VERBOSE=1'})")
print(f"start lateness against due time: p50 {lat.group(1)} ms, p99 {lat.group(2)} ms, p99.9 {lat.group(3)} ms, max {lat.group(4)} ms (goal: on schedule)")
if topology == "netns":
    print(f"CPU of the director: {cpu:.2f} s = vigil {vigil_cpu:.2f} s + its receive thread (NAPI) {napi_s:.2f} s; "
          f"the servers' side (nginx, their receive thread; not counted): {servers_s:.2f} s")
    what = "of the director"
else:
    what = "of vigil, with both halves of every handshake (loopback)"
print(f"CPU {what}: {cpu:.2f} s = {100 * cpu / seconds:.1f}% of one core (goal < 25%: ratio {cpu / seconds / 0.25:.2f}); {1000 * cpu / max(probes, 1):.4f} CPU s per 1,000 checks")
print(f"whole process incl. config load (/usr/bin/time): user {user_s:.2f} s, system {sys_s:.2f} s")
print(f"peak RSS: {rss_kb / 1024:.1f} MB (goal < 150 MB: ratio {rss_kb / 1024 / 150:.2f})")
if downs:
    p50 = downs[len(downs) // 2]
    print(f"death→DOWN: {len(downs)}/{die} servers DOWN; min {downs[0]:.2f} s, median {p50:.2f} s, max {downs[-1]:.2f} s; bound {bound:.0f} s (max/bound {downs[-1] / bound:.2f})")
else:
    print(f"death→DOWN: 0/{die} servers reported DOWN (bound {bound:.0f} s)")
with open(summary, "a") as s:
    s.write(f"{name} {probes / seconds} {cpu / max(probes, 1)} {rss_kb} {float(lat.group(2))} {downs[-1] if downs else -1}\n")
PY
}

run vigil
if [ "${BENCH_REFERENCE:-1}" = 1 ]; then
  run reference-nio-channels VIGIL_BENCH_NIO_PATH=1
  python3 - "$work/summary" <<'PY'
import sys
rows = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in open(sys.argv[1])}
v, r = rows["vigil"], rows["reference-nio-channels"]
print("== vigil (epoll engine) against the reference (Vigil's previous NIO-channel TCP path), same servers, same run")
print(f"checks/s ratio {v[0] / r[0]:.2f}; CPU s per 1,000 checks ratio {v[1] / r[1]:.2f}; peak RSS ratio {v[2] / r[2]:.2f}; "
      f"p99 lateness {v[3]:.2f} ms vs {r[3]:.2f} ms; slowest death→DOWN {v[4]:.2f} s vs {r[4]:.2f} s")
PY
fi
