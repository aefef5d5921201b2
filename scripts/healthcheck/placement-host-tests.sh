#!/usr/bin/env bash
# Host suite of the checker socket placement keywords (issue #14), in a network namespace this script creates:
# `fwmark` (SO_MARK) and `bind_if` (SO_BINDTOIFINDEX), probed with `vigil probe` against a TCP listener.
#   - a policy rule `fwmark 7 prohibit` (placed before the local table) refuses exactly the marked checks:
#     TCP_CHECK, UDP_CHECK and HTTP_GET with `fwmark 7` are DOWN with "Permission denied", the unmarked one UP;
#   - `bind_if lo` reaches 127.0.0.1; `bind_if` a veth (the local address is not on it) does not reach it;
#     a missing interface is DOWN naming it.
# A missing prerequisite is a failure with a message, never a skip. Everything created is removed on exit.
set -u
cd "$(dirname "$0")/../.."
VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
NS=vigil-hcp-$$
WORK=$(mktemp -d /tmp/vigil-hcp.XXXXXX)
pids=()
. scripts/lib/suite.sh
finish() {
  local rc=$?
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
  suite_failed "$rc" && suite_tail_logs 40 "$WORK"/probe.txt
  ip netns del "$NS" 2>/dev/null
  rm -rf "$WORK"
  suite_summary "checker placement host tests" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the checker placement host suite (network namespaces)"
suite_need_tools ip python3 setsid
suite_need_vigil

ip netns add "$NS" || { echo "error: cannot create namespace $NS" >&2; exit 1; }
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns ip link add p0 type veth peer name p1
in_ns ip addr add 10.79.0.1/24 dev p0
in_ns ip link set p0 up
in_ns ip link set p1 up
# The local table after the mark rule, so that the rule sees loopback traffic too (only in this namespace).
in_ns ip rule add pref 200 table local
in_ns ip rule del pref 0
in_ns ip rule add pref 100 fwmark 7 prohibit

setsid ip netns exec "$NS" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 18080)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()
' >/dev/null 2>&1 &
pids+=($!)

checker() {  # ADDRESS TYPE EXTRA-LINE
  local body="      connect_timeout 2"
  [ "$2" = HTTP_GET ] && body="      url {
        path /
      }
$body"
  printf '  real_server %s 18080 {\n    %s {\n%s\n      %s\n    }\n  }\n' "$1" "$2" "$body" "$3"
}
{
  echo "virtual_server 10.79.0.100 80 {"
  echo "  protocol TCP"
  checker 127.0.0.1 TCP_CHECK ""
  checker 127.0.0.2 TCP_CHECK "fwmark 7"
  checker 127.0.0.3 UDP_CHECK "fwmark 7"
  checker 127.0.0.4 HTTP_GET "fwmark 7"
  checker 127.0.0.5 TCP_CHECK "fwmark 8"
  checker 127.0.0.6 TCP_CHECK "bind_if lo"
  checker 127.0.0.7 TCP_CHECK "bind_if p0"
  checker 127.0.0.8 TCP_CHECK "bind_if nosuch0"
  echo "}"
} > "$WORK/placement.conf"

for _ in $(seq 50); do in_ns python3 -c 'import socket; socket.create_connection(("127.0.0.1", 18080), 1)' 2>/dev/null && break; sleep 0.1; done
in_ns "$VIGIL_BIN" probe -f "$WORK/placement.conf" > "$WORK/probe.txt" 2>&1
row() { grep -E "  $1:18080 " "$WORK/probe.txt"; }
is() { row "$1" | grep -q -- "$2"; }

check "vigil check knows fwmark and bind_if (no 'not implemented')" \
  bash -c "! $VIGIL_BIN check -f $WORK/placement.conf --no-host-checks 2>&1 | grep -q 'not implemented'"
check "an unmarked TCP_CHECK passes through the namespace's rules" is 127.0.0.1 "  UP  "
check "TCP_CHECK with fwmark 7 is refused by the fwmark 7 rule" is 127.0.0.2 "DOWN.*Permission denied"
check "UDP_CHECK with fwmark 7 is refused by the fwmark 7 rule" is 127.0.0.3 "DOWN.*Permission denied"
check "HTTP_GET with fwmark 7 is refused by the fwmark 7 rule" is 127.0.0.4 "DOWN.*Permission denied"
check "TCP_CHECK with fwmark 8 passes (another mark)" is 127.0.0.5 "  UP  "
check "bind_if lo reaches the local address" is 127.0.0.6 "  UP  "
check "bind_if p0 does not reach a local address that is not on p0" is 127.0.0.7 "DOWN"
check "bind_if of a missing interface is DOWN naming it" is 127.0.0.8 "DOWN.*bind_if nosuch0: no such interface"
