# shellcheck shell=bash
# auth_hmac (keepalived 2.4.0; issue #13) between two Vigil nodes: one MASTER; a forged priority-0 advert (the VRRP
# checksum fixed, the HMAC not), a replay and a stale replay are dropped, each logged with its reason; keys rotate
# by reload without a transition; the rollout receive-only → permissive → enforce is hitless. keepalived 2.2.7 has no
# auth_hmac: against keepalived 2.4.3 (built from its release, KEEPALIVED=/path) case_auth_hmac_keepalived_2_4_3 is
# run by hand, outside make test. Sourced by scripts/ha/host-tests.sh.

HMAC_KEY1=hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
HMAC_KEY2=0123456789abcdef0123456789abcdef

# hmac_conf FILE PRIO VIP ACTIVE MODE [KEY_LINE...] — a VRRPv3 instance (1 s) with an auth_hmac block.
hmac_conf() {
  local file=$1 prio=$2 vip=$3 active=$4 mode=$5; shift 5
  local lines=("auth_hmac {") k
  for k in "$@"; do lines+=("    $k"); done
  lines+=("    active_key $active" "    mode $mode" "}")
  conf "$file" VI_1 "$prio" 3 1 "$vip" "${lines[@]}"
}

# hmac_inject MODE [DELAY] — replays or forges A's next advert from the bridge (scripts/ha/inject-hmac.py).
hmac_inject() {
  ip -n "$NS_S" link set br0 up
  ip netns exec "$NS_S" python3 "$HERE/inject-hmac.py" "$1" 10.9.0.1 "${2:-0}" || fail "injector ($1) failed"
}

case_auth_hmac_vigil_pair() {
  hmac_conf "$LAB_DIR/a.conf" 150 10.9.0.100/24 1 enforce "key 1 $HMAC_KEY1"
  hmac_conf "$LAB_DIR/b.conf" 100 10.9.0.100/24 1 enforce "key 1 $HMAC_KEY1"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"; local va=$LAST_PGID
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "A did not take the VIP"
  sleep 4
  lab_has_vip "$NS_B" 10.9.0.100 && fail "B holds the VIP too: A's signed adverts were refused"
  grep -q "dropped" "$LAB_DIR/vb.log" && fail "B dropped A's adverts: $(grep -m1 dropped "$LAB_DIR/vb.log")"
  # A forged priority 0 from A would hand the VIP to B within skew time (0.6 s) if B believed it.
  hmac_inject forge
  lab_wait_log "$LAB_DIR/vb.log" "advert from 10.9.0.1 dropped: invalid auth_hmac HMAC" 3 \
    || fail "the forged advert was not dropped as an invalid HMAC"
  sleep 1.5
  lab_has_vip "$NS_B" 10.9.0.100 && fail "B took the VIP on a forged priority-0 advert"
  hmac_inject replay 0.3
  lab_wait_log "$LAB_DIR/vb.log" "auth_hmac sequence already seen (a replay)" 3 || fail "the replay was not dropped as one"
  hmac_inject replay 7
  lab_wait_log "$LAB_DIR/vb.log" "stale auth_hmac sequence: the sender's clock is further from ours than time_window, sender's clock -[0-9]* s" 3 \
    || fail "the 7 s old replay was not dropped as stale"
  lab_has_vip "$NS_A" 10.9.0.100 || fail "A lost the VIP"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "B took the VIP"
  # Rotation: B learns key 2, then A signs with it. No transition anywhere, no drop.
  local before; before=$(grep -c -- "->" "$LAB_DIR/va.log")
  hmac_conf "$LAB_DIR/b.conf" 100 10.9.0.100/24 1 enforce "key 1 $HMAC_KEY1" "key 2 $HMAC_KEY2"
  kill -HUP "$(cat "$LAB_DIR/vb.pid")"
  lab_wait_log "$LAB_DIR/vb.log" "reloaded" 3 || fail "B did not reload"
  hmac_conf "$LAB_DIR/a.conf" 150 10.9.0.100/24 2 enforce "key 1 $HMAC_KEY1" "key 2 $HMAC_KEY2"
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  lab_wait_log "$LAB_DIR/va.log" "reloaded" 3 || fail "A did not reload"
  sleep 3
  [ "$(grep -c -- "->" "$LAB_DIR/va.log")" = "$before" ] || fail "A changed state during the key rotation"
  lab_has_vip "$NS_B" 10.9.0.100 && fail "B took the VIP during the key rotation"
  sed -n '/reloaded/,$p' "$LAB_DIR/vb.log" | grep -q "discarded advert" \
    && fail "B refused A's adverts during the rotation: $(sed -n '/reloaded/,$p' "$LAB_DIR/vb.log" | grep -m1 discarded)"
  # A's priority 0 at SIGTERM, signed with key 2, hands over at once.
  local t0; t0=$(date +%s%N)
  lab_term va "$va" || fail "A did not exit on SIGTERM"
  lab_wait_vip "$NS_B" 10.9.0.100 3 || fail "B did not take over on A's signed priority-0 advert"
  echo "    takeover after SIGTERM $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

# receive-only → permissive → enforce on both nodes, each step a reload: one MASTER throughout, no transition.
case_auth_hmac_rollout() {
  hmac_conf "$LAB_DIR/a.conf" 150 10.9.0.100/24 1 receive-only "key 1 $HMAC_KEY1"
  hmac_conf "$LAB_DIR/b.conf" 100 10.9.0.100/24 1 receive-only "key 1 $HMAC_KEY1"
  lab_start_vigil "$NS_A" va "$LAB_DIR/a.conf"
  lab_start_vigil "$NS_B" vb "$LAB_DIR/b.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "A did not take the VIP"
  sleep 2
  local before; before=$(grep -c -- "->" "$LAB_DIR/va.log")
  local mode n=1
  for mode in permissive enforce; do
    for side in b a; do
      hmac_conf "$LAB_DIR/$side.conf" $([ $side = a ] && echo 150 || echo 100) 10.9.0.100/24 1 "$mode" "key 1 $HMAC_KEY1"
      kill -HUP "$(cat "$LAB_DIR/v$side.pid")"
      sleep 2.5
      lab_has_vip "$NS_B" 10.9.0.100 && fail "B took the VIP after $side went to $mode"
    done
    n=$((n + 1))
  done
  [ "$(grep -c -- "->" "$LAB_DIR/va.log")" = "$before" ] || fail "A changed state during the rollout"
  grep -q "dropped" "$LAB_DIR/vb.log" && fail "B dropped adverts during the rollout: $(grep -m1 dropped "$LAB_DIR/vb.log")"
  [ "$(grep -c "reloaded" "$LAB_DIR/vb.log")" = 2 ] || fail "B did not reload twice"
  # Enforced now: an advert without a trailer is refused.
  conf "$LAB_DIR/a.conf" VI_1 150 3 1 10.9.0.100/24
  kill -HUP "$(cat "$LAB_DIR/va.pid")"
  lab_wait_log "$LAB_DIR/vb.log" "advert from 10.9.0.1 dropped: no auth_hmac trailer (mode enforce)" 4 \
    || fail "B accepted an advert without a trailer in enforce mode"
}

# By hand, against keepalived 2.4.3 built from its release (KEEPALIVED=/path/to/2.4.3/sbin/keepalived): Vigil (A,
# 150) and keepalived (B, 100), IPv4 v3, then v2, then IPv6: keepalived accepts Vigil's trailer and Vigil
# keepalived's (each takes over on the other's signed priority 0), and neither logs a refusal.
case_auth_hmac_keepalived_2_4_3() {
  [ -n "${KEEPALIVED:-}" ] && "$KEEPALIVED" --version 2>&1 | grep -q "v2\.4\.[3-9]" \
    || { fail "KEEPALIVED must name a keepalived 2.4.3 or later binary"; return; }
  local ver vip name
  for spec in "3 10.9.0.100/24 VI_1" "2 10.9.0.100/24 VI_1" "3 fd00:9::100/64 VI_6"; do
    read -r ver vip name <<<"$spec"
    local lines=("auth_hmac {" "    key 1 $HMAC_KEY1" "    key 2 $HMAC_KEY2" "    active_key 2" "}")
    conf "$LAB_DIR/a.conf" "$name" 150 "$ver" 1 "$vip" "${lines[@]}"
    conf "$LAB_DIR/b.conf" "$name" 100 "$ver" 1 "$vip" "${lines[@]}"
    sed -i '/authentication {/,/^    }/d' "$LAB_DIR/a.conf" "$LAB_DIR/b.conf"
    local addr=${vip%/*}
    lab_start_vigil "$NS_A" "va$ver$name" "$LAB_DIR/a.conf"; local va=$LAST_PGID
    lab_start_keepalived "$NS_B" "kb$ver$name" "$LAB_DIR/b.conf"; local kb=$LAST_PGID
    lab_wait_vip "$NS_A" "$addr" 8 || fail "v$ver $addr: Vigil did not take the VIP"
    sleep 4
    lab_has_vip "$NS_B" "$addr" && fail "v$ver $addr: keepalived holds the VIP too"
    grep -i "hmac\|trailer\|authentication" "$LAB_DIR/kb$ver$name.log" | grep -v "^.*Starting\|Opening" | head -3
    grep -q "dropped" "$LAB_DIR/va$ver$name.log" && fail "v$ver: Vigil dropped keepalived's adverts"
    lab_term "va$ver$name" "$va" || fail "Vigil did not exit"
    lab_wait_vip "$NS_B" "$addr" 3 || fail "v$ver $addr: keepalived did not take over on Vigil's signed priority 0"
    lab_start_vigil "$NS_A" "vc$ver$name" "$LAB_DIR/a.conf"; local vc=$LAST_PGID
    lab_wait_vip "$NS_A" "$addr" 8 || fail "v$ver $addr: Vigil did not preempt (keepalived's adverts refused?)"
    lab_wait_vip "$NS_B" "$addr" 3 absent || fail "v$ver $addr: keepalived did not yield"
    grep -q "dropped" "$LAB_DIR/vc$ver$name.log" && fail "v$ver: Vigil dropped keepalived's adverts: $(grep -m1 dropped "$LAB_DIR/vc$ver$name.log")"
    lab_term "vc$ver$name" "$vc"; lab_kill "$kb"; sleep 0.5
    echo "    v$ver $addr: one MASTER each way"
  done
}

ALL_CASES+=(case_auth_hmac_vigil_pair case_auth_hmac_rollout)
