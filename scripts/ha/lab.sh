#!/usr/bin/env bash
# Helpers for the HA host lab: network namespaces A and B, each with veth0 plugged into a bridge in a
# third namespace S (A: 10.9.0.1/24 fd00:9::1/64, B: 10.9.0.2/24 fd00:9::2/64). Unplugging a port from
# the bridge partitions the link while both sides keep their carrier. Sourced by the tests and the bench.
# Every namespace and process created here is registered for cleanup in lab_cleanup.
set -u
LAB_ID=${LAB_ID:-$$}
NS_A="vha${LAB_ID}a"
NS_B="vha${LAB_ID}b"
NS_S="vha${LAB_ID}s"
LAB_DIR=${LAB_DIR:-$(mktemp -d /tmp/vigil-ha-lab.XXXXXX)}
LAB_PGIDS=()

lab_up() {
  ip netns add "$NS_A" && ip netns add "$NS_B" && ip netns add "$NS_S" || return 1
  ip -n "$NS_S" link add br0 type bridge mcast_snooping 0 || return 1
  ip -n "$NS_S" link set br0 up
  local side
  for side in a b; do
    ip -n "$NS_S" link add port$side type veth peer name veth0 netns "vha${LAB_ID}$side" || return 1
    ip -n "$NS_S" link set port$side master br0
    ip -n "$NS_S" link set port$side up
  done
  for ns in "$NS_A" "$NS_B"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.veth0.accept_dad=0 2>/dev/null
    ip -n "$ns" link set lo up
  done
  ip -n "$NS_A" addr add 10.9.0.1/24 dev veth0 && ip -n "$NS_B" addr add 10.9.0.2/24 dev veth0
  ip -n "$NS_A" addr add fd00:9::1/64 dev veth0 nodad && ip -n "$NS_B" addr add fd00:9::2/64 dev veth0 nodad
  ip -n "$NS_A" link set veth0 up && ip -n "$NS_B" link set veth0 up
  # wait for link-local addresses to be usable
  for _ in $(seq 50); do
    if ip -n "$NS_A" -6 addr show dev veth0 scope link | grep -q fe80 && ip -n "$NS_B" -6 addr show dev veth0 scope link | grep -q fe80; then
      if ! ip -n "$NS_A" -6 addr show dev veth0 | grep -q tentative && ! ip -n "$NS_B" -6 addr show dev veth0 | grep -q tentative; then return 0; fi
    fi
    sleep 0.1
  done
  return 0
}

lab_cleanup() {
  local g
  for g in "${LAB_PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
  ip netns del "$NS_A" 2>/dev/null
  ip netns del "$NS_B" 2>/dev/null
  ip netns del "$NS_S" 2>/dev/null
  rm -rf "$LAB_DIR"
}

# lab_start_vigil NS NAME CONF  — starts `vigil run` in NS under setsid; sets LAST_PGID.
lab_start_vigil() {
  local ns=$1 name=$2 conf=$3
  rm -f "$LAB_DIR/$name.pid"
  setsid ip netns exec "$ns" "$VIGIL_BIN" run -n -l -D --no-syslog -f "$conf" -p "$LAB_DIR/$name.pid" \
    >"$LAB_DIR/$name.log" 2>&1 &
  LAST_PGID=$!
  disown "$LAST_PGID" 2>/dev/null
  LAB_PGIDS+=("$LAST_PGID")
}

# lab_start_keepalived NS NAME CONF — keepalived VRRP-only in NS under setsid (LAB.md §1); sets LAST_PGID.
# $KEEPALIVED names another keepalived binary (default: the one on PATH, Debian's 2.2.7).
lab_start_keepalived() {
  local ns=$1 name=$2 conf=$3
  rm -f "$LAB_DIR/$name".{pid,vpid,cpid}
  setsid ip netns exec "$ns" "${KEEPALIVED:-keepalived}" -n -l -D -G --vrrp -f "$conf" -p "$LAB_DIR/$name.pid" \
    -r "$LAB_DIR/$name.vpid" -c "$LAB_DIR/$name.cpid" >"$LAB_DIR/$name.log" 2>&1 &
  LAST_PGID=$!
  disown "$LAST_PGID" 2>/dev/null
  LAB_PGIDS+=("$LAST_PGID")
}

# lab_start DAEMON NS NAME CONF — lab_start_vigil (DAEMON vigil) or lab_start_keepalived; sets LAST_PGID.
lab_start() {
  if [ "$1" = vigil ]; then lab_start_vigil "$2" "$3" "$4"; else lab_start_keepalived "$2" "$3" "$4"; fi
}

# lab_kill PGID — crash: SIGKILL the whole process group.
lab_kill() { kill -KILL -- "-$1" 2>/dev/null; }

# lab_term NAME PGID — graceful: SIGTERM the daemon (pid file), wait for the group to exit.
lab_term() {
  local name=$1 pgid=$2 pid
  pid=$(cat "$LAB_DIR/$name.pid" 2>/dev/null)
  if [ -n "$pid" ]; then kill -TERM "$pid"; else kill -TERM -- "-$pgid"; fi
  for _ in $(seq 100); do kill -0 -- "-$pgid" 2>/dev/null || return 0; sleep 0.05; done
  return 1
}

# lab_has_vip NS ADDR — true if ADDR is on veth0 in NS.
lab_has_vip() { ip -n "$1" addr show dev veth0 | grep -qw "inet6\? $2/[0-9]*"; }

# lab_wait_vip NS ADDR TIMEOUT_S [absent] — polls until the VIP is present (or absent).
lab_wait_vip() {
  local ns=$1 addr=$2 timeout=$3 want=${4:-present} end
  end=$(( $(date +%s%N) + timeout * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    if lab_has_vip "$ns" "$addr"; then [ "$want" = present ] && return 0; else [ "$want" = absent ] && return 0; fi
    sleep 0.02
  done
  return 1
}

# lab_partition / lab_heal — unplug / replug A's port from the bridge (carrier stays up on both sides).
lab_partition() { ip -n "$NS_S" link set porta nomaster; }
lab_heal() { ip -n "$NS_S" link set porta master br0; }

# lab_wait_log FILE PATTERN TIMEOUT_S — polls until grep finds PATTERN in FILE.
lab_wait_log() {
  local end=$(( $(date +%s%N) + $3 * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
