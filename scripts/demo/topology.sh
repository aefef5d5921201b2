#!/usr/bin/env bash
# The Director lab (LAB.md §3, NAT), shared by the VM end-to-end suite (scripts/e2e/director.sh) and
# `make demo` (scripts/demo.sh). Sourced, not run. Needs root and a kernel with IPVS (the qemu lab).
#
#   client ns  veth0 10.10.1.2/24 ──┐ front bridge (ns S, br0)
#   director 1 veth0 10.10.1.11/24 ─┤   VIP 10.10.1.100/24 on the VRRP MASTER's veth0
#   director 2 veth0 10.10.1.12/24 ─┘
#   director N veth1 10.10.2.1N/24 ─┐ back bridge (ns S, br1)
#                                   │   gateway VIP 10.10.2.1/24 on the MASTER's veth1
#   real server K veth0 10.10.2.2K/24 ┘ default route via 10.10.2.1; nginx on :8080 answers "rK"
#
# Every namespace and process made here is removed by topo_cleanup (processes by process group).
set -u
TOPO_ID=${TOPO_ID:-$$}
TOPO_P="vd${TOPO_ID}"
TOPO_NS_C="${TOPO_P}c"
TOPO_NS_S="${TOPO_P}s"
TOPO_DIR=${TOPO_DIR:-$(mktemp -d /tmp/vigil-director-lab.XXXXXX)}
TOPO_VIP=10.10.1.100
TOPO_PGIDS=()
declare -A TOPO_NGINX_PID=()
declare -A TOPO_DIRECTOR_PGID=()
VIGIL_BIN=${VIGIL_BIN:-$(pwd)/.build/debug/vigil}

topo_ns_director() { echo "${TOPO_P}d$1"; }
topo_ns_real() { echo "${TOPO_P}r$1"; }

# topo_plug NS IFNAME BRIDGE ADDR — a veth from the switch namespace's BRIDGE into NS.
# The switch-side ports are numbered (p1, p2, …), never random: two random names once collided (`File exists`).
TOPO_PORTS=0
topo_plug() {
  local ns=$1 ifname=$2 br=$3 addr=$4 port
  TOPO_PORTS=$((TOPO_PORTS + 1))
  port="p${TOPO_PORTS}"
  topo_do ip -n "$TOPO_NS_S" link add "$port" type veth peer name "$ifname" netns "$ns" || return 1
  topo_do ip -n "$TOPO_NS_S" link set "$port" master "$br" && topo_do ip -n "$TOPO_NS_S" link set "$port" up &&
    topo_do ip -n "$ns" addr add "$addr" dev "$ifname" && topo_do ip -n "$ns" link set "$ifname" up
}

# topo_do CMD… — runs one topology command; a failure names the command.
topo_do() {
  "$@" || { echo "topology: failed: $*" >&2; return 1; }
}

# topo_up DIRECTORS REALSERVERS — namespaces, bridges and addresses (no daemons yet).
topo_up() {
  local directors=$1 reals=$2 i ns
  topo_do ip netns add "$TOPO_NS_S" || return 1
  topo_do ip -n "$TOPO_NS_S" link add br0 type bridge mcast_snooping 0 && topo_do ip -n "$TOPO_NS_S" link set br0 up &&
    topo_do ip -n "$TOPO_NS_S" link add br1 type bridge mcast_snooping 0 && topo_do ip -n "$TOPO_NS_S" link set br1 up &&
    topo_do ip netns add "$TOPO_NS_C" && topo_do ip -n "$TOPO_NS_C" link set lo up || return 1
  topo_plug "$TOPO_NS_C" veth0 br0 10.10.1.2/24 || return 1
  for i in $(seq "$directors"); do
    ns=$(topo_ns_director "$i")
    topo_do ip netns add "$ns" && topo_do ip -n "$ns" link set lo up &&
      topo_do ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
    topo_plug "$ns" veth0 br0 "10.10.1.1$i/24" || return 1
    topo_plug "$ns" veth1 br1 "10.10.2.1$i/24" || return 1
  done
  for i in $(seq "$reals"); do
    ns=$(topo_ns_real "$i")
    topo_do ip netns add "$ns" && topo_do ip -n "$ns" link set lo up || return 1
    topo_plug "$ns" veth0 br1 "10.10.2.2$i/24" || return 1
    topo_do ip -n "$ns" route add default via 10.10.2.1 || return 1
  done
}

# topo_nginx_start K — nginx in real server K's namespace (one process, no master), page "rK", on 10.10.2.2K:8080
# (LVS-NAT) and on every address's port 80 (LVS-DR: the VIP on lo). TOPO_NGINX_CONNECTIONS: its connection limit
# (default 256).
topo_nginx_start() {
  local k=$1 d="$TOPO_DIR/nginx$1" wc=${TOPO_NGINX_CONNECTIONS:-256}
  mkdir -p "$d/logs"
  cat > "$d/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile $((wc * 2 + 64));
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections $wc; }
http {
  access_log off;
  keepalive_requests 1000000; keepalive_timeout 600s;   # long-lived client connections (scripts/director/conns.py)
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  server {
    listen 10.10.2.2$k:8080;
    listen 80;
    location / { default_type text/plain; return 200 "r$k\n"; }
  }
}
EOF
  ip netns exec "$(topo_ns_real "$k")" nginx -p "$d" -c "$d/nginx.conf" >"$d/logs/stdout" 2>&1 &
  TOPO_NGINX_PID[$k]=$!
  topo_wait 30 "nginx r$k listening" ip netns exec "$(topo_ns_real "$k")" bash -c "exec 3<>/dev/tcp/10.10.2.2$k/8080"
}

# topo_nginx_stop K — stops real server K's nginx (by its PID).
topo_nginx_stop() {
  local pid=${TOPO_NGINX_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  TOPO_NGINX_PID[$1]=
}

# topo_config N STATE PRIORITY REALSERVERS [ADVERT_INT] — writes director N's keepalived.conf; prints its path.
topo_config() {
  local n=$1 state=$2 prio=$3 reals=$4 advert=${5:-1} f="$TOPO_DIR/director$1.conf" k
  {
    cat <<EOF
global_defs {
    router_id director$n
    lvs_sync_daemon veth0 VI_1 id 51
    lvs_timeouts tcp 7200 tcpfin 60 udp 120
}
vrrp_instance VI_1 {
    state $state
    interface veth0
    virtual_router_id 51
    priority $prio
    advert_int $advert
    virtual_ipaddress {
        $TOPO_VIP/24 dev veth0
        10.10.2.1/24 dev veth1
    }
}
virtual_server $TOPO_VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
EOF
    for k in $(seq "$reals"); do
      cat <<EOF
    real_server 10.10.2.2$k 8080 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
EOF
    done
    echo "}"
  } > "$f"
  echo "$f"
}

# topo_director_start N CONF — `vigil run` in director N's namespace under setsid; log in TOPO_DIR/directorN.log.
topo_director_start() {
  local n=$1 conf=$2
  rm -f "$TOPO_DIR/director$n.pid"
  # TOPO_VIGIL_ARGS: more options for this start (words split on blanks), e.g. --control unix:PATH.
  # shellcheck disable=SC2086
  setsid ip netns exec "$(topo_ns_director "$n")" "$VIGIL_BIN" run -n -l -D --no-syslog -f "$conf" \
    -p "$TOPO_DIR/director$n.pid" ${TOPO_VIGIL_ARGS:-} >"$TOPO_DIR/director$n.log" 2>&1 &
  TOPO_DIRECTOR_PGID[$n]=$!
  TOPO_PGIDS+=("$!")
}

# topo_director_kill N [SIGNAL] — signals director N's whole process group (default KILL: a crash).
topo_director_kill() {
  local pg=${TOPO_DIRECTOR_PGID[$1]:-} sig=${2:-KILL}
  [ -n "$pg" ] || return 0
  kill "-$sig" -- "-$pg" 2>/dev/null
  [ "$sig" = KILL ] && wait "$pg" 2>/dev/null
  return 0
}

# topo_sync_daemon N ROLE — whether director N's kernel runs the ROLE (master|backup) connection-sync daemon of
# topo_config's lvs_sync_daemon (veth0, syncid 51).
topo_sync_daemon() {
  ip netns exec "$(topo_ns_director "$1")" ipvsadm -L --daemon 2>/dev/null | grep -q "^$2 sync daemon (mcast=veth0, syncid=51[,)]"
}

# topo_ipvs N — director N's IPVS table (ipvsadm -Ln).
topo_ipvs() { ip netns exec "$(topo_ns_director "$1")" ipvsadm -Ln; }
# topo_timeouts N — director N's IPVS timeouts as "TCP TCPFIN UDP" (ipvsadm -L --timeout).
topo_timeouts() {
  ip netns exec "$(topo_ns_director "$1")" ipvsadm -L --timeout 2>/dev/null | sed -n 's/^Timeout (tcp tcpfin udp): //p'
}

# topo_ipvs_reals N — the real-server addresses in director N's table, one per line, sorted.
topo_ipvs_reals() { topo_ipvs "$1" | awk '$1 == "->" && $2 ~ /:8080$/ { print $2 }' | sort; }

# topo_has_vip N — director N holds the VIP.
topo_has_vip() { ip -n "$(topo_ns_director "$1")" -4 addr show dev veth0 | grep -q "inet $TOPO_VIP/"; }

# topo_get — one request from the client to the VIP; prints the page ("rK") or fails.
topo_get() { ip netns exec "$TOPO_NS_C" curl -s --max-time "${1:-1}" "http://$TOPO_VIP/"; }

# topo_wait SECONDS WHAT CMD... — polls CMD every 0.1 s until it succeeds; fails with a message after SECONDS.
topo_wait() {
  local limit=$1 what=$2; shift 2
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  while ! "$@" >/dev/null 2>&1; do
    if [ "$(date +%s%N)" -ge "$end" ]; then echo "timeout after ${limit}s waiting for: $what" >&2; return 1; fi
    sleep 0.1
  done
}

# topo_now_ms — monotonic-enough milliseconds.
topo_now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }   # no process: ~30 ms under TCG

topo_cleanup() {
  local g k
  topo_client_stop
  for k in "${!TOPO_NGINX_PID[@]}"; do topo_nginx_stop "$k"; done
  for g in "${TOPO_PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
  for g in "${TOPO_PGIDS[@]}"; do
    for _ in $(seq 30); do kill -0 -- "-$g" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$g" 2>/dev/null
  done
  for ns in $(ip netns list | awk '{print $1}' | grep "^${TOPO_P}"); do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$TOPO_DIR"
}

# ---- keepalived as the peer director, the shared client, benchmark helpers (scripts/e2e/keepalived-peer.sh,
# ---- scripts/director/bench.sh)

# topo_config_v3 N STATE PRIORITY REALSERVERS ADVERT_INT — topo_config's file with `version 3` (VRRPv3) in the
# instance (advert_int below 1 s needs it); prints its path.
topo_config_v3() {
  local f
  f=$(topo_config "$@") || return 1
  sed -i 's/^\(    advert_int .*\)$/\1\n    version 3/' "$f"
  echo "$f"
}

# topo_keepalived_start N CONF — keepalived (VRRP + checkers + IPVS) in director N's namespace under setsid, with
# its own pid files (stale ones removed first, LAB.md §1); log in TOPO_DIR/keepalivedN.log. It takes director N's
# process-group slot, so `topo_director_kill N` signals the parent and both children (KILL = a crash).
topo_keepalived_start() {
  local n=$1 conf=$2 d="$TOPO_DIR/keepalived$1"
  rm -f "$d.pid" "$d-vrrp.pid" "$d-check.pid"
  setsid ip netns exec "$(topo_ns_director "$n")" keepalived -n -l -D -G -f "$conf" \
    -p "$d.pid" -r "$d-vrrp.pid" -c "$d-check.pid" >"$d.log" 2>&1 &
  TOPO_DIRECTOR_PGID[$n]=$!
  TOPO_PGIDS+=("$!")
}

# topo_director_crash N — director N's host dies: both links down in one `ip` process (so the network loses the host
# at one instant, before the slower kill), then its daemon's process group SIGKILLed.
topo_director_crash() {
  printf 'link set veth0 down\nlink set veth1 down\n' | ip -n "$(topo_ns_director "$1")" -batch -
  topo_director_kill "$1" KILL
}

# topo_director_reboot N — after topo_director_crash: what a reboot leaves (no VIPs, an empty IPVS table), links up.
topo_director_reboot() {
  local ns
  ns=$(topo_ns_director "$1")
  ip -n "$ns" addr del "$TOPO_VIP/24" dev veth0 2>/dev/null
  ip -n "$ns" addr del 10.10.2.1/24 dev veth1 2>/dev/null
  ip netns exec "$ns" ipvsadm -C
  ip -n "$ns" link set veth0 up
  ip -n "$ns" link set veth1 up
}

# The system python, not a PATH shim (a pyenv shim runs bash and several processes on every start, seconds under
# TCG); -S: no site-packages scan.
TOPO_PYTHON=${TOPO_PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 )}

# topo_client_start FILE [INTERVAL] [TIMEOUT] [--overlap] — one long-lived client process (scripts/director/client.py) in the
# client namespace requesting the VIP; one line per request in FILE ("<ms> ok rK <latency>" or "<ms> fail …"),
# its stderr in FILE.err. Returns at once (start it early: its start-up overlaps the lab's); topo_client_ready waits.
topo_client_start() {
  local file=$1 interval=${2:-0.1} timeout=${3:-0.5}
  : > "$file"
  ip netns exec "$TOPO_NS_C" "$TOPO_PYTHON" -S -u "$(dirname "${BASH_SOURCE[0]}")/../director/client.py" "$TOPO_VIP" 80 \
    --interval "$interval" --timeout "$timeout" "${@:4}" > "$file" 2>"$file.err" &
  TOPO_CLIENT_PID=$!
}

# topo_client_ready FILE — waits (up to 120 s) for the client's first line.
topo_client_ready() { topo_wait 120 "the client's first request" test -s "$1"; }

# topo_client_stop — ends the client started by topo_client_start.
topo_client_stop() {
  [ -n "${TOPO_CLIENT_PID:-}" ] || return 0
  kill "$TOPO_CLIENT_PID" 2>/dev/null; wait "$TOPO_CLIENT_PID" 2>/dev/null
  TOPO_CLIENT_PID=
}

# topo_pgroup_usage PGID — "PROCESSES RSS_KB CPU_TICKS ANON_KB" summed over every live process of the group
# (utime + stime from /proc/PID/stat; VmRSS and RssAnon — the private heap and stacks, without the mapped code of
# the binary and its libraries — from /proc/PID/status). Shell builtins only: no process starts.
topo_pgroup_usage() {
  local pg=$1 f rest n=0 rss=0 anon=0 ticks=0 k v _
  for f in /proc/[0-9]*/stat; do
    read -r rest 2>/dev/null < "$f" || continue
    rest=${rest##*) }                      # after the command name, which may hold spaces
    set -- $rest                           # $1 state, $2 ppid, $3 pgrp, … $12 utime, $13 stime
    [ "${3:-}" = "$pg" ] || continue
    n=$((n + 1)); ticks=$((ticks + ${12} + ${13}))
    while read -r k v _; do
      case $k in VmRSS:) rss=$((rss + v)) ;; RssAnon:) anon=$((anon + v)) ;; esac
    done 2>/dev/null < "${f%/stat}/status"
  done
  echo "$n $rss $ticks $anon"
}
