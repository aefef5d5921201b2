#!/usr/bin/env bash
# VM tier: real HTTP through a NAT virtual server and through a DR virtual server to
# nginx real servers, each in its own network namespace, the table programmed by
# `vigil ipvs apply -f` from keepalived.conf-style files. Also checks that a second
# apply issues no operation. Cleans up every namespace and process it made.
set -euo pipefail
bin=${VIGIL_BIN:-$(pwd)/.build/debug/vigil}
work=$(mktemp -d /tmp/vigil-ipvs-http.XXXXXX)
p=vih$$   # namespace prefix
nss=(); pids=()
cleanup() {
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for ns in "${nss[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkns() { ip netns add "$1"; nss+=("$1"); ip -n "$1" link set lo up; }
nginx_in() {  # ns name port
  local ns=$1 name=$2 port=$3 d="$work/$2"
  mkdir -p "$d"
  cat > "$d/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1;
pid $d/nginx.pid; error_log $d/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $d/cb; proxy_temp_path $d/px; fastcgi_temp_path $d/fc; uwsgi_temp_path $d/uw; scgi_temp_path $d/sc;
  server { listen $port; location / { return 200 "$name\n"; } }
}
CONF
  ip netns exec "$ns" nginx -p "$d" -c "$d/nginx.conf" &
  pids+=("$!")
}
wait_http() {  # ns url
  for _ in $(seq 1 100); do ip netns exec "$1" curl -s -m 1 -o /dev/null "$2" && return 0; sleep 0.1; done
  fail "no HTTP answer from $2 in $1"
}
spread() {  # ns url n -> distinct bodies seen
  local out=""
  for _ in $(seq 1 "$3"); do out+=$(ip netns exec "$1" curl -s -m 2 "$2")$'\n'; done
  printf '%s' "$out" | sort | uniq -c
}

# ---- NAT: client -- director (VIP) -- bridge -- real servers (default route via director)
mkns ${p}c; mkns ${p}d; mkns ${p}r1; mkns ${p}r2
ip link add ${p}cd type veth peer name ${p}dc
ip link set ${p}cd netns ${p}c; ip link set ${p}dc netns ${p}d
ip -n ${p}c addr add 10.10.1.2/24 dev ${p}cd; ip -n ${p}c link set ${p}cd up
ip -n ${p}d addr add 10.10.1.1/24 dev ${p}dc; ip -n ${p}d addr add 10.10.1.100/24 dev ${p}dc; ip -n ${p}d link set ${p}dc up
ip -n ${p}d link add br0 type bridge; ip -n ${p}d addr add 10.10.2.1/24 dev br0; ip -n ${p}d link set br0 up
ip netns exec ${p}d sysctl -qw net.ipv4.ip_forward=1
for i in 1 2; do
  ip link add ${p}r${i}x type veth peer name ${p}b${i}
  ip link set ${p}r${i}x netns ${p}r${i}; ip link set ${p}b${i} netns ${p}d
  ip -n ${p}d link set ${p}b${i} master br0; ip -n ${p}d link set ${p}b${i} up
  ip -n ${p}r${i} addr add 10.10.2.1${i}/24 dev ${p}r${i}x; ip -n ${p}r${i} link set ${p}r${i}x up
  ip -n ${p}r${i} route add default via 10.10.2.1
  nginx_in ${p}r${i} rs${i} 8080
done
cat > "$work/nat.conf" <<'CONF'
virtual_server 10.10.1.100 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 10.10.2.11 8080 {
        weight 1
    }
    real_server 10.10.2.12 8080 {
        weight 1
    }
}
CONF
wait_http ${p}r1 http://10.10.2.11:8080/; wait_http ${p}r2 http://10.10.2.12:8080/
ip netns exec ${p}d "$bin" ipvs plan --state "$work/owned" -f "$work/nat.conf"
ip netns exec ${p}d "$bin" ipvs apply --state "$work/owned" -f "$work/nat.conf"
ip netns exec ${p}d "$bin" ipvs list
again=$(ip netns exec ${p}d "$bin" ipvs apply --state "$work/owned" -f "$work/nat.conf")
echo "$again" | grep -q '^0 operation(s), 0 failed' || fail "second apply was not empty: $again"
seen=$(spread ${p}c http://10.10.1.100/ 6); echo "NAT answers:"; echo "$seen"
echo "$seen" | grep -q ' rs1$' && echo "$seen" | grep -q ' rs2$' || fail "NAT: both real servers should answer"
echo "ok: HTTP through the NAT virtual server reached both real servers"

# ---- DR: one bridge for client, director and real servers; VIP /32 on the director,
# on lo of each real server with arp_ignore=1 / arp_announce=2.
mkns ${p}C; mkns ${p}D; mkns ${p}R1; mkns ${p}R2
ip -n ${p}D link add br1 type bridge; ip -n ${p}D addr add 10.20.0.1/24 dev br1
ip -n ${p}D addr add 10.20.0.100/32 dev br1; ip -n ${p}D link set br1 up
attach() {  # ns ifname addr
  ip link add ${p}$2 type veth peer name ${p}$2p
  ip link set ${p}$2 netns $1; ip link set ${p}$2p netns ${p}D
  ip -n ${p}D link set ${p}$2p master br1; ip -n ${p}D link set ${p}$2p up
  ip -n $1 addr add $3/24 dev ${p}$2; ip -n $1 link set ${p}$2 up
}
attach ${p}C xc 10.20.0.2
for i in 1 2; do
  ns=${p}R${i}
  ip netns exec $ns sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
  attach $ns x${i} 10.20.0.1${i}
  ip netns exec $ns sysctl -qw net.ipv4.conf.${p}x${i}.arp_ignore=1 net.ipv4.conf.${p}x${i}.arp_announce=2
  ip -n $ns addr add 10.20.0.100/32 dev lo
  nginx_in $ns dr${i} 80
done
cat > "$work/dr.conf" <<'CONF'
virtual_server 10.20.0.100 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.20.0.11 80 {
        weight 1
    }
    real_server 10.20.0.12 80 {
        weight 1
    }
}
CONF
wait_http ${p}R1 http://10.20.0.11/; wait_http ${p}R2 http://10.20.0.12/
ip netns exec ${p}D "$bin" ipvs apply --state "$work/owned" -f "$work/dr.conf"
seen=$(spread ${p}C http://10.20.0.100/ 6); echo "DR answers:"; echo "$seen"
echo "$seen" | grep -q ' dr1$' && echo "$seen" | grep -q ' dr2$' || fail "DR: both real servers should answer"
echo "ok: HTTP through the DR virtual server reached both real servers"
