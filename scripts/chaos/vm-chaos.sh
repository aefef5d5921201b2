#!/usr/bin/env bash
# The VM chaos run (issue #18, docs/reliability.md): the whole director — two Vigil directors with the kernel's IPVS
# (priority 150 and 100) in front of three nginx real servers, on the lab of scripts/demo/topology.sh (LVS-NAT, VRRP
# VI_1 with the VIP 10.10.1.100 and the gateway VIP 10.10.2.1, TCP_CHECKs at delay_loop 1, lvs_sync_daemon), while a
# client requests the VIP every 0.2 s. Runs inside the qemu lab (the only kernel with IPVS here):
#
#   VIGIL_LAB_SMP=2 scripts/lab/vm-run.sh env VIGIL_BIN=.build/debug/vigil scripts/chaos/vm-chaos.sh [--seed N] [--seconds S]
#
# A seeded, time-bounded run (default 120 s) of faults drawn at random, one at a time, each healed before the next:
#
#   sigkill          SIGKILL of a director's process group (its VIPs and table stay behind, as after a crash),
#                    restart 0.5–3 s later with the same file
#   sigterm          SIGTERM (it must end within 10 s and leave no VIP and no IPVS service), restart 0.5–3 s later
#   link-down        a director's front link (veth0) down 1–4 s (FAULT), then up
#   sighup-storm     20 SIGHUPs to a director in 1 s (its table must not change)
#   broken-reload    a director reloads a file with an error (priority 999, a missing brace, a block after lb_kind,
#                    delay_loop without its value): rejected, the VIP and the table unchanged; then the good file
#   reload-change    a director reloads with one real server removed or one weight changed (the MASTER applies it
#                    within 5 s); the good file back 2–5 s later (applied again)
#   real-dies        a real server's nginx SIGKILLed, restarted 2–5 s later
#   real-hangs       a real server's nginx SIGSTOPped 2–5 s, then SIGCONT
#   hostile-packets  from the client namespace on the front bridge: 200 malformed VRRP adverts at priority 254 for
#                    VRID 51 (PASS/AH authentication, bad checksum, version, type, interval, truncated), foreign
#                    VRIDs, random bytes, 20 with TTL 64 (scripts/chaos/vm-chaos-inject.py)
#   signals          10 of SIGUSR1/SIGUSR2 to a director (keepalived's dumps, written under the run's directory)
#
# sigkill, sigterm and link-down are disruptive: after each is healed the protocol's window (WINDOW_MS: three
# adverts, the skew and two adverts of slack) is allowed for the VIPs to settle on one director; the run then waits
# for director 1 (priority 150, preempt) to hold them again — after its failback hold (vigil_failback_hold, default
# 60 s at most) — before the next fault. The other faults must not move the VIP at all: a VRRP transition logged
# during one of them (until the next fault) is a violation.
#
# Invariants, sampled every ~200 ms all along by a sampler that starts no process to take a sample (the VIPs from an
# `ip monitor address` per director, the tables from /proc/PID/net/ip_vs of that monitor, which lives in the
# director's namespace; `ip addr` confirms a bad state before it is reported), each violation printed with the time
# and the evidence:
#   1. no Vigil process dies unless the run killed it;
#   2. outside the windows exactly one director holds the VIPs (both on the same one): the seconds of dual MASTER,
#      of no MASTER and of split VIPs are counted and must be 0 (a state counts when two consecutive samples show
#      it; its first sample is confirmed with `ip addr` first);
#   3. a director that holds 10.10.1.100 has the service 10.10.1.100:80 in its IPVS table — no grace after a
#      takeover: Vigil installs the table before it adds the VIPs (its takeover hook; the run also checks that order
#      in the logs), so only the two-sample rule applies;
#   4. no IPVS service that no configuration declares (only TCP 10.10.1.100:80) in any director's table;
#   5. the open descriptors of each Vigil process stay flat (at most +8 from 5 s after its VRRP instance left INIT
#      to its last sample); RSS is reported over the same span;
#   6. after a SIGTERM (a fault's and the final one of both directors): no VIP and no IPVS service left on that
#      director, and at the end no process of the run and no namespace left.
# A fault's own expectation that fails (a SIGTERM not obeyed within 10 s, a broken file accepted or the running
# configuration changed by it, a reload not applied, director 1 not back within the failback hold) is a violation
# too ("fault").
#
# Prints the seed first (`--seed N` replays the same faults), one line per fault with its time, the violations as
# they happen, then the report and `vm chaos: N faults, M invariant violations`. Exits 1 when M > 0 or the run itself
# failed (a missing prerequisite is a failure with a message, never a skip). Root; everything it makes (namespaces,
# processes, files) is removed on exit. VIGIL_CHAOS_KEEP=DIR copies the daemons' logs to DIR before the cleanup.
set -u
cd "$(dirname "$0")/../.."

usage() { sed -n '2,/^set -u$/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
SEED=
RUN_S=120
while [ $# -gt 0 ]; do
  case $1 in
    --seed) SEED=${2:-}; shift 2 || shift ;;
    --seed=*) SEED=${1#*=}; shift ;;
    --seconds) RUN_S=${2:-}; shift 2 || shift ;;
    --seconds=*) RUN_S=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1' (usage: $0 [--seed N] [--seconds S])" >&2; exit 2 ;;
  esac
done
[ -z "$SEED" ] && SEED=$(( SRANDOM % 2147483647 ))
[[ $SEED =~ ^[0-9]+$ && $RUN_S =~ ^[0-9]+$ ]] || { echo "error: --seed and --seconds take whole numbers" >&2; exit 2; }
echo "# vm chaos: seed $SEED ($RUN_S s; replay: scripts/chaos/vm-chaos.sh --seed $SEED --seconds $RUN_S)"
RANDOM=$SEED    # every draw of the run comes from here, in the main shell only

. scripts/demo/topology.sh
. scripts/lib/suite.sh

WINDOW_MS=6000      # 3 × advert_int + skew (≤ 1 s) + 2 adverts of slack
HOLD_MS=1500        # a holder counts once it has held this long (more than an advert interval)
SETTLE_MS=75000     # director 1 back as MASTER: failback hold (60 s at most) + master-down interval + slack
SAMPLE_S=0.2
WARMUP_MS=5000      # descriptors and RSS are compared from this long after a process's instance left INIT
FD_LIMIT=8
TERM_LIMIT_MS=10000
VIP_HEX=0A0A0164:0050   # 10.10.1.100:80 as /proc/net/ip_vs writes it
FULL_POOL="21=1 22=1 23=1"
CTL=$TOPO_DIR/ctl
mkdir -p "$CTL"
: > "$CTL/violations"

# --- small helpers without a process (a process start costs ~30–80 ms under TCG)
now() { NOW=$(( ${EPOCHREALTIME/[.,]/} / 1000 )); }
rel() { local d=$(( $1 - T0 )); printf -v REPLY '%d.%d' $(( d / 1000 )) $(( d % 1000 / 100 )); }
secs() { printf -v REPLY '%d.%d' $(( $1 / 1000 )) $(( $1 % 1000 / 100 )); }
mkfifo "$TOPO_DIR/sleep.fifo" && exec {SLEEP_FD}<>"$TOPO_DIR/sleep.fifo"
zz() { read -r -t "$1" -u "$SLEEP_FD" _ || true; }                 # sleep SECONDS
zz_ms() { local s; printf -v s '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); zz "$s"; }
draw() { REPLY=$(( $1 + RANDOM % ($2 - $1 + 1) )); }                 # draw LO HI (inclusive, < 32768 apart)
alive() {   # alive PID — the process exists and is not a zombie
  local s
  read -r s 2>/dev/null < "/proc/$1/stat" || return 1
  s=${s##*) }
  [ "${s%% *}" != Z ]
}
hex2ep() {  # 0A0A0164:0050 -> 10.10.1.100:80
  local a=${1%%:*} p=${1#*:}
  if [[ $1 =~ ^[0-9A-F]{8}:[0-9A-F]{4}$ ]]; then
    REPLY="$((16#${a:0:2})).$((16#${a:2:2})).$((16#${a:4:2})).$((16#${a:6:2})):$((16#$p))"
  else REPLY=$1; fi
}
# violation INVARIANT WHAT [EVIDENCE] — printed at once ("not ok - T invariant K: WHAT", the evidence as comments)
# and recorded for the report. Called by the main loop and by the sampler.
violation() {
  local t
  now; rel "$NOW"; t=$REPLY
  if [ -n "${VIOLS_IN_MEMORY:-}" ]; then LATE_VIOLS+=("$NOW|$1|$2"); else printf '%s|%s|%s\n' "$NOW" "$1" "$2" >> "$CTL/violations"; fi
  if [ -n "${3:-}" ]; then
    printf 'not ok - %7ss invariant %s: %s\n%s\n' "$t" "$1" "$2" "$(printf '%s\n' "$3" | sed 's/^/# /')"
  else
    printf 'not ok - %7ss invariant %s: %s\n' "$t" "$1" "$2"
  fi
}
note() { local t; now; rel "$NOW"; t=$REPLY; printf '# %7ss %s\n' "$t" "$*"; }
HARNESS_ERR=
harness_fail() { HARNESS_ERR="$*"; echo "error: the run failed: $*" >&2; exit 1; }

# --- directors
declare -A DPID=() DSTART=() CONF=() GOOD=()
DIRECTOR_PIDS=()
# ctl_write N EXPECTED — publishes director N's pid to the sampler; EXPECTED 1: the run is ending it.
ctl_write() { printf '%s %s %s\n' "${DPID[$1]:-}" "$2" "${DSTART[$1]:-0}" > "$CTL/d$1"; }
start_director() {
  local n=$1 log="$TOPO_DIR/director$1.log"
  [ -s "$log" ] && cat "$log" >> "$TOPO_DIR/director$n.history"
  mkdir -p "$TOPO_DIR/tmp$n"
  # The ownership record and keepalived's dumps (SIGUSR1/SIGUSR2) under the run's directory, not /run and /tmp.
  TMPDIR="$TOPO_DIR/tmp$n" TOPO_VIGIL_ARGS="--ipvs-state $TOPO_DIR/ipvs-owned.$n" topo_director_start "$n" "${CONF[$n]}"
  DPID[$n]=${TOPO_DIRECTOR_PGID[$n]}
  now; DSTART[$n]=$NOW
  DIRECTOR_PIDS+=("${DPID[$n]}")
  ctl_write "$n" 0
}
stop_director() { ctl_write "$1" 1; topo_director_kill "$1" "$2"; }
# wait_gone PID MS — whether PID ended within MS; TOOK_MS: how long it took.
wait_gone() {
  local t0 pid=$1
  now; t0=$NOW
  while alive "$pid"; do
    now; [ $(( NOW - t0 )) -ge "$2" ] && { TOOK_MS=$(( NOW - t0 )); return 1; }
    zz 0.05
  done
  now; TOOK_MS=$(( NOW - t0 ))
}
transitions() { grep -c "VI_1: [A-Z]* -> " "$TOPO_DIR/director$1.log" 2>/dev/null || true; }
# The sampler rewrites its files in place: a read that meets one truncated and not yet written is empty, and is
# read again.
# tab N — director N as the sampler last saw it: "FRONT_VIP GATEWAY_VIP HAS_SERVICE POOL…" (POOL: octet=weight).
tab() {
  local i
  for i in 1 2 3 4 5; do TAB=; read -r TAB < "$CTL/tab$1" 2>/dev/null; [ -n "$TAB" ] && return; zz 0.02; done
}
holders() {   # HOLD: "H_FRONT H_GATEWAY", e.g. "1 1" (the directors holding each VIP, "-" for none)
  local i
  for i in 1 2 3 4 5; do HOLD=; read -r _ HOLD < "$CTL/holders" 2>/dev/null; [ -n "$HOLD" ] && return; zz 0.02; done
}
set_window() { printf '%s %s\n' "$1" "$2" > "$CTL/window"; }
NEVER=99999999999999

# --- configurations: GOOD[n] as topo_config writes it; variants rewrite CONF[n]
write_pool() {   # write_pool N POOL — CONF[n] from the good file with the pool "21=1 23=2" (octet=weight)
  local n=$1 pool=" $2 "
  awk -v pool="$pool" '
    /^    real_server 10\.10\.2\.2[0-9] 8080 \{$/ { split($2, a, "."); k = a[4]; inblock = 1
      if (index(pool, " " k "=") == 0) { skip = 1 } else { skip = 0; w = substr(pool, index(pool, " " k "=") + length(k) + 2); sub(/ .*/, "", w) } }
    inblock && /^        weight / && !skip { print "        weight " w; next }
    { if (!(inblock && skip)) print }
    inblock && /^    \}$/ { inblock = 0; skip = 0 }
  ' "${GOOD[$n]}" > "${CONF[$n]}.new" && mv "${CONF[$n]}.new" "${CONF[$n]}"
}
write_broken() {   # write_broken N VARIANT — a file the reload must reject; prints what is wrong with it
  local n=$1 f=${CONF[$1]}
  case $2 in
    0) sed 's/^\(    priority \).*/\1999/' "${GOOD[$n]}" > "$f"; echo "priority 999" ;;
    1) sed '$d' "${GOOD[$n]}" > "$f"; echo "the last closing brace missing" ;;
    2) sed 's/^    lb_kind NAT$/    lb_kind NAT {/' "${GOOD[$n]}" > "$f"; echo "a block opened after lb_kind" ;;
    *) sed 's/^    delay_loop 1$/    delay_loop/' "${GOOD[$n]}" > "$f"; echo "delay_loop without its value" ;;
  esac
}
restore_good() { cp "${GOOD[$1]}" "${CONF[$1]}"; }

# --- the sampler: a background copy of this shell; reads files and /proc only
start_monitor() {   # an `ip monitor address` in director N's namespace: its VIP events, and its /proc/PID/net/ip_vs
  local n=$1
  ip -o -n "$(topo_ns_director "$n")" monitor address > "$TOPO_DIR/mon$n" 2>&1 &
  MONPID[$n]=$!
  OUR_PIDS+=("$!")
}
declare -A MONPID=()

sampler() {
  set -f
  local -A VF=() VG=() HAS=() SVCS=() POOL=() PART=() MFD=() PREV3=() EP3=() EP4=() REP1=() MISMATCH=()
  local n t line k=0 prev_t=0 prev2= ep2=0 grace=0 glabel= h1 h2 c1 c2 bad fd p e s p2 e2
  for n in 1 2; do exec {fd}<"$TOPO_DIR/mon$n"; MFD[$n]=$fd; PART[$n]=; VF[$n]=0; VG[$n]=0; done
  read_monitor() {
    local n=$1 line fd=${MFD[$1]}
    while IFS= read -r -u "$fd" line; do
      line=${PART[$n]}$line; PART[$n]=
      case $line in
        *" inet 10.10.1.100/"*) [[ $line == Deleted* ]] && VF[$n]=0 || VF[$n]=1 ;;
        *" inet 10.10.2.1/"*) [[ $line == Deleted* ]] && VG[$n]=0 || VG[$n]=1 ;;
      esac
    done
    PART[$n]+=$line
  }
  read_ipvs() {   # SVCS[n]: "TCP:0A0A0164:0050 …"; HAS[n]: the VIP's service is in; POOL[n]: its pool "21=1 22=1 23=1"
    local n=$1 line cur= svcs= i
    local -a L=() P=()
    if ! mapfile -t L < "/proc/${MONPID[$n]}/net/ip_vs" 2>/dev/null; then SVCS[$n]="?"; HAS[$n]=0; POOL[$n]=; return; fi
    for line in "${L[@]}"; do
      set -- $line
      case ${1:-} in
        TCP|UDP|FWM|SCTP) cur=$1:$2; svcs+=" $cur" ;;
        "->") [ "$cur" = "TCP:$VIP_HEX" ] && [[ $2 =~ ^0A0A02([0-9A-F]{2}):1F90$ ]] && P[$((16#${BASH_REMATCH[1]}))]=$4 ;;
      esac
    done
    SVCS[$n]=${svcs# }
    [[ " $svcs " == *" TCP:$VIP_HEX "* ]] && HAS[$n]=1 || HAS[$n]=0
    line=
    for i in "${!P[@]}"; do line+=" $i=${P[$i]}"; done
    POOL[$n]=${line# }
  }
  show_table() {   # the evidence: director N's services and pool, readable
    local n=$1 s out=
    for s in ${SVCS[$n]}; do hex2ep "${s#*:}"; out+="${s%%:*} $REPLY; "; done
    REPLY="director $n: front VIP ${VF[$n]}, gateway VIP ${VG[$n]}; IPVS: ${out:-no service} pool [${POOL[$n]}]"
  }
  direct_holders() {   # the holders read with `ip addr` (processes: only to confirm a bad state)
    local n f= g= o
    for n in 1 2; do
      o=$(ip -n "$(topo_ns_director "$n")" -o -4 addr show 2>/dev/null)
      [[ $o == *" inet 10.10.1.100/"* ]] && f+=$n
      [[ $o == *" inet 10.10.2.1/"* ]] && g+=$n
    done
    REPLY="${f:--} ${g:--}"
  }
  while [ ! -e "$CTL/stop" ]; do
    now; t=$NOW; k=$((k + 1))
    for n in 1 2; do
      alive "${MONPID[$n]}" || { echo "the address monitor of director $n ended" > "$CTL/harness"; return; }
      read_monitor "$n"; read_ipvs "$n"
    done
    # 1. a Vigil process that died without being killed (the control file is read again after the death is seen:
    #    the main loop writes it before it kills)
    for n in 1 2; do
      p=; read -r p e s 2>/dev/null < "$CTL/d$n" || continue
      [ -n "$p" ] || continue
      alive "$p" && continue
      p2=; read -r p2 e2 _ 2>/dev/null < "$CTL/d$n" || continue
      [ "$p2" = "$p" ] && [ "$e2" = 0 ] && [ -z "${REP1[$p]:-}" ] || continue
      REP1[$p]=1
      echo "$p" > "$CTL/dead$n"
      violation 1 "director $n's vigil (pid $p) died without being killed" "$(tail -n 15 "$TOPO_DIR/director$n.log")"
    done
    h1=; h2=
    for n in 1 2; do [ "${VF[$n]}" = 1 ] && h1+=$n; [ "${VG[$n]}" = 1 ] && h2+=$n; done
    printf '%s %s %s\n' "$t" "${h1:--}" "${h2:--}" > "$CTL/holders"
    for n in 1 2; do printf '%s %s %s %s\n' "${VF[$n]}" "${VG[$n]}" "${HAS[$n]}" "${POOL[$n]}" > "$CTL/tab$n"; done
    # 2. one holder of both VIPs outside the windows
    read -r grace glabel 2>/dev/null < "$CTL/window" || true
    c1=${#h1}; c2=${#h2}
    bad=
    if [ "$c1" -gt 1 ] || [ "$c2" -gt 1 ]; then bad=dual
    elif [ "$c1" -eq 0 ] || [ "$c2" -eq 0 ]; then bad=none
    elif [ "$h1" != "$h2" ]; then bad=split; fi
    if [ "$t" -le "${grace:-0}" ]; then
      [ "$ep2" -ne 0 ] && { secs $(( t - ep2 )); note "  (the state lasted ${REPLY} s, until the window of ${glabel})"; }
      ep2=0; prev2=
    elif [ -n "$bad" ] && [ -n "$prev2" ]; then
      if [ "$ep2" -eq 0 ]; then
        direct_holders
        if [ "$REPLY" != "${h1:--} ${h2:--}" ]; then
          note "  (the address monitors lag: they show '${h1:--} ${h2:--}', ip addr '$REPLY'; sample not counted)"
          bad=
        else
          ep2=$prev_t
          show_table 1; local e1=$REPLY; show_table 2
          case $bad in
            dual) violation 2 "dual MASTER outside the windows: front VIP on ${h1:--}, gateway VIP on ${h2:--} (last: $glabel)" "$e1"$'\n'"$REPLY" ;;
            none) violation 2 "no MASTER outside the windows: front VIP on ${h1:--}, gateway VIP on ${h2:--} (last: $glabel)" "$e1"$'\n'"$REPLY" ;;
            split) violation 2 "the VIPs split between the directors: front VIP on $h1, gateway VIP on $h2 (last: $glabel)" "$e1"$'\n'"$REPLY" ;;
          esac
        fi
      fi
      [ -n "$bad" ] && echo "$bad $(( t - prev_t ))" >> "$CTL/bad2"
    elif [ -z "$bad" ] && [ "$ep2" -ne 0 ]; then
      secs $(( t - ep2 )); note "  (the state lasted ${REPLY} s)"
      ep2=0
    fi
    prev2=$bad
    [ "$t" -le "${grace:-0}" ] && prev2=
    # 3. a VIP without its table; 4. a service nobody declares
    for n in 1 2; do
      if [ "${VF[$n]}" = 1 ] && [ "${HAS[$n]}" = 0 ]; then
        if [ -n "${PREV3[$n]:-}" ]; then
          if [ -z "${EP3[$n]:-}" ]; then
            # Confirmed first with `ip addr` and ipvsadm (processes), as the monitor's events can lag.
            e=$(ip -n "$(topo_ns_director "$n")" -o -4 addr show dev veth0 2>&1; ip netns exec "$(topo_ns_director "$n")" ipvsadm -Ln 2>&1)
            if [[ $e == *" inet 10.10.1.100/"* && $e != *"TCP  10.10.1.100:80 "* ]]; then
              EP3[$n]=${PREV3[$n]}
              show_table "$n"
              violation 3 "director $n holds 10.10.1.100 without the service 10.10.1.100:80 (two samples)" "$REPLY"$'\n'"$e"
            else
              note "  (director $n: VIP without its table in two samples, not confirmed by ip addr and ipvsadm: not counted)"
              PREV3[$n]=
            fi
          fi
          [ -n "${EP3[$n]:-}" ] && echo "$n $(( t - prev_t ))" >> "$CTL/bad3"
        else
          PREV3[$n]=$t
        fi
      else
        [ -n "${EP3[$n]:-}" ] && { secs $(( t - EP3[$n] )); note "  (director $n's VIP without its table lasted about ${REPLY} s)"; }
        EP3[$n]=; PREV3[$n]=
      fi
      for s in ${SVCS[$n]}; do
        [ "$s" = "TCP:$VIP_HEX" ] && continue
        [ "$s" = "?" ] && continue
        [ -n "${EP4[$n:$s]:-}" ] && continue
        EP4[$n:$s]=1
        show_table "$n"; e=$REPLY
        hex2ep "${s#*:}"
        violation 4 "director $n's IPVS has ${s%%:*} $REPLY, which no configuration declares" "$e"
      done
      for s in "${!EP4[@]}"; do
        [ "${s%%:*}" = "$n" ] && [[ " ${SVCS[$n]} " != *" ${s#*:} "* ]] && unset "EP4[$s]"
      done
    done
    # 5. RSS and descriptors, once a second
    if [ $((k % 5)) -eq 0 ]; then
      for n in 1 2; do
        p=; read -r p e s 2>/dev/null < "$CTL/d$n" || continue
        [ -n "$p" ] && alive "$p" || continue
        local rss=0 key val fds
        while read -r key val _; do [ "$key" = VmRSS: ] && rss=$val; done 2>/dev/null < "/proc/$p/status"
        set +f; fds=(/proc/"$p"/fd/*); set -f
        [ -e "${fds[0]}" ] && echo "$t $n $p $rss ${#fds[@]}" >> "$CTL/res"
      done
    fi
    # The monitors against `ip addr` every ~5 s: twice in a row in disagreement is the harness's failure.
    if [ $((k % 25)) -eq 0 ]; then
      direct_holders
      if [ "$REPLY" != "${h1:--} ${h2:--}" ]; then
        MISMATCH[x]=$(( ${MISMATCH[x]:-0} + 1 ))
        [ "${MISMATCH[x]}" -ge 2 ] && { echo "the address monitors disagree with ip addr: '${h1:--} ${h2:--}' against '$REPLY'" > "$CTL/harness"; return; }
      else
        MISMATCH[x]=0
      fi
    fi
    prev_t=$t
    now; s=$(( 200 - (NOW - t) )); [ "$s" -lt 40 ] && s=40
    zz_ms "$s"
  done
}

# --- the end: the final stop, the checks after it, the cleanup, the report
CLEANED=
SAMPLER_PID=
stop_helpers() {
  local p
  if [ -n "$SAMPLER_PID" ]; then
    touch "$CTL/stop" 2>/dev/null
    for _ in $(seq 20); do alive "$SAMPLER_PID" || break; zz 0.1; done
    kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null
    SAMPLER_PID=
  fi
  for p in "${MONPID[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}
cleanup_all() {
  [ -n "$CLEANED" ] && return 0
  CLEANED=1
  stop_helpers
  if [ -n "${VIGIL_CHAOS_KEEP:-}" ]; then
    mkdir -p "$VIGIL_CHAOS_KEEP" && cp "$TOPO_DIR"/director*.log "$TOPO_DIR"/director*.history "$TOPO_DIR"/*.conf \
      "$TOPO_DIR"/client.txt "$TOPO_DIR"/faults.log "$CTL"/res "$CTL"/violations "$VIGIL_CHAOS_KEEP"/ 2>/dev/null
  fi
  topo_cleanup
}
on_exit() {
  local rc=$?
  if [ -z "$CLEANED" ]; then
    [ "$rc" -ne 0 ] && suite_tail_logs 25 "$TOPO_DIR"/director1.log "$TOPO_DIR"/director2.log
    cleanup_all
    echo "vm chaos: the run did not complete (${HARNESS_ERR:-exit $rc})"
    [ "$rc" -eq 0 ] && rc=1
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'HARNESS_ERR="interrupted"; exit 130' INT TERM

# --- prerequisites: each is an error with a message, never a skip
suite_need_root "the VM chaos run"
suite_need_ipvs
suite_need_tools ip ipvsadm nginx setsid awk sed grep mkfifo
suite_need_vigil
[ -x "$TOPO_PYTHON" ] || harness_fail "python3 is missing (the client and the hostile packets)"

# --- the lab
topo_up 2 3 || harness_fail "cannot build the topology"
OUR_PIDS=()   # every process of the run outside the directors' process groups
for k in 1 2 3; do topo_nginx_start "$k" || harness_fail "nginx r$k did not start"; OUR_PIDS+=("${TOPO_NGINX_PID[$k]}"); done
for n in 1 2; do start_monitor "$n"; done
# The monitors are listening once they report an address added after their start.
for n in 1 2; do
  topo_wait 30 "the address monitor of director $n" bash -c "ip -n $(topo_ns_director "$n") addr add 192.0.2.$n/32 dev lo 2>/dev/null; grep -q 192.0.2.$n/ $TOPO_DIR/mon$n" \
    || harness_fail "the address monitor of director $n does not report"
  ip -n "$(topo_ns_director "$n")" addr del "192.0.2.$n/32" dev lo
  [ -r "/proc/${MONPID[$n]}/net/ip_vs" ] || harness_fail "no /proc/${MONPID[$n]}/net/ip_vs (IPVS in director $n's namespace)"
done
CONF[1]=$(topo_config 1 MASTER 150 3); CONF[2]=$(topo_config 2 BACKUP 100 3)
for n in 1 2; do GOOD[$n]=$TOPO_DIR/director$n.good; cp "${CONF[$n]}" "${GOOD[$n]}"; done
CLIENT_OUT=$TOPO_DIR/client.txt
topo_client_start "$CLIENT_OUT" 0.2 0.5
OUR_PIDS+=("$TOPO_CLIENT_PID")
set_window "$NEVER" start
: > "$CTL/d1"; : > "$CTL/d2"
now; T0=$NOW
sampler & SAMPLER_PID=$!
OUR_PIDS+=("$SAMPLER_PID")
start_director 1; start_director 2

# last_state N — STATE: director N's VRRP state as its current process last logged it (empty before the first).
last_state() { STATE=$(grep -o "VI_1: [A-Z]* -> [A-Z]*" "$TOPO_DIR/director$1.log" 2>/dev/null | tail -n 1); STATE=${STATE##* }; }
# steady N_MS — waits (up to N_MS) for director 1 to hold both VIPs alone for HOLD_MS as MASTER; CONV_MS: from the
# call to the first single holder of both VIPs that lasted HOLD_MS as MASTER (either director), -1 if none;
# STEADY_MS likewise for director 1. A SIGKILLed director's leftover VIPs look like a holder until its restart
# removes them: a holder counts only when its current process logged MASTER last (one grep, every 0.5 s at most).
steady() {
  local t0 since= one= chk1=0 chk2=0 s1
  now; t0=$NOW; CONV_MS=-1; STEADY_MS=-1
  while :; do
    [ -s "$CTL/harness" ] && harness_fail "$(cat "$CTL/harness")"
    holders; now
    case $HOLD in
      "1 1"|"2 2") one=${one:-$NOW} ;;
      *) one= ;;
    esac
    if [ -n "$one" ] && [ "$CONV_MS" -lt 0 ] && [ $(( NOW - one )) -ge "$HOLD_MS" ] && [ "$NOW" -ge "$chk1" ]; then
      last_state "${HOLD%% *}"
      if [ "$STATE" = MASTER ]; then CONV_MS=$(( one - t0 )); else chk1=$(( NOW + 500 )); fi
    fi
    if [ "$HOLD" = "1 1" ]; then since=${since:-$NOW}; else since=; fi
    if [ -n "$since" ] && [ $(( NOW - since )) -ge "$HOLD_MS" ] && [ "$NOW" -ge "$chk2" ]; then
      last_state 1; s1=$STATE; last_state 2
      if [ "$s1" = MASTER ] && [ "$STATE" != MASTER ]; then
        STEADY_MS=$(( since - t0 ))
        [ "$CONV_MS" -lt 0 ] && CONV_MS=$STEADY_MS
        return 0
      fi
      chk2=$(( NOW + 500 ))
    fi
    [ $(( NOW - t0 )) -ge "$1" ] && return 1
    zz 0.1
  done
}
steady 90000 || harness_fail "director 1 did not hold the VIPs alone within 90 s of the start (holders: $HOLD)"
set_window 0 start
topo_client_ready "$CLIENT_OUT" || harness_fail "the client never answered"
now; rel "$NOW"
note "lab up: director 1 MASTER with the VIPs after ${REPLY} s; faults for ${RUN_S} s"

# --- the faults
declare -A FAULTS=()
CONVS=(); FAILBACKS=()
NFAULTS=0
f_sigkill() {
  local n=$1 d
  draw 500 3000; d=$REPLY
  stop_director "$n" KILL
  zz_ms "$d"
  start_director "$n"
  secs "$d"; DESC="SIGKILL of director $n's process group, restarted after $REPLY s"; DISRUPT=1
}
f_sigterm() {
  local n=$1 d pid=${DPID[$1]} left=
  draw 500 3000; d=$REPLY
  stop_director "$n" TERM
  if ! wait_gone "$pid" "$TERM_LIMIT_MS"; then
    violation fault "director $n did not end within 10 s of SIGTERM" "$(tail -n 15 "$TOPO_DIR/director$n.log")"
    topo_director_kill "$n" KILL
  fi
  local took=$TOOK_MS ns
  ns=$(topo_ns_director "$n")
  topo_has_vip "$n" && left+="the VIP 10.10.1.100; "
  ip -n "$ns" -4 addr show dev veth1 | grep -q "inet 10.10.2.1/" && left+="the gateway VIP; "
  ip netns exec "$ns" ipvsadm -Ln | grep -qE "^(TCP|UDP|FWM|SCTP) " && left+="IPVS services; "
  [ -n "$left" ] && violation 6 "after its SIGTERM director $n left ${left% }" "$(ip netns exec "$ns" ipvsadm -Ln)"
  zz_ms "$d"
  start_director "$n"
  secs "$d"; DESC="SIGTERM of director $n (ended in $took ms), restarted after $REPLY s"; DISRUPT=1
}
f_link() {
  local n=$1 d ns
  draw 1000 4000; d=$REPLY
  ns=$(topo_ns_director "$n")
  ip -n "$ns" link set veth0 down
  zz_ms "$d"
  ip -n "$ns" link set veth0 up
  secs "$d"; DESC="director $n's veth0 down $REPLY s"; DISRUPT=1
}
f_hup_storm() {
  local n=$1 before
  tab "$n"; before=$TAB
  for _ in $(seq 20); do kill -HUP "${DPID[$n]}" 2>/dev/null; zz 0.05; done
  zz 2
  tab "$n"
  [ "$TAB" = "$before" ] || violation fault "director $n's table changed across a SIGHUP storm of the same file" "before: $before"$'\n'"after:  $TAB"
  DESC="20 SIGHUPs to director $n in 1 s"; DISRUPT=0
}
f_broken() {
  local n=$1 what before lines log=$TOPO_DIR/director$1.log
  draw 0 3
  what=$(write_broken "$n" "$REPLY")
  tab "$n"; before=$TAB
  lines=$(wc -l < "$log")
  kill -HUP "${DPID[$n]}"
  rejected() { tail -n +"$((lines + 1))" "$log" | grep -q "configuration rejected, keeping the running one"; }
  topo_wait 5 "the rejection" rejected \
    || violation fault "director $n did not reject a file with $what within 5 s" "$(tail -n +"$((lines + 1))" "$log" | tail -n 10)"
  zz 1.5
  tab "$n"
  [ "$TAB" = "$before" ] || violation fault "the broken reload of director $n ($what) changed its running state" "before: $before"$'\n'"after:  $TAB"
  restore_good "$n"
  kill -HUP "${DPID[$n]}"
  DESC="reload of director $n with a broken file ($what), then the good one"; DISRUPT=0
}
# pool_is N POOL MS — waits for director N's table to hold POOL (only the MASTER installs one).
pool_is() {
  local n=$1 want=$2 t0
  now; t0=$NOW
  while :; do
    tab "$n"; [ "${TAB#* * * }" = "$want" ] && return 0
    now; [ $(( NOW - t0 )) -ge "$3" ] && return 1
    zz 0.1
  done
}
f_reload() {
  local n=$1 k mode w d pool master=0
  draw 1 3; k=$REPLY; draw 0 1; mode=$REPLY; draw 2 5; w=$REPLY; draw 2000 5000; d=$REPLY
  if [ "$mode" = 0 ]; then pool=$(echo "$FULL_POOL" | sed "s/2$k=1 \{0,1\}//; s/ $//"); what="r$k removed"
  else pool=$(echo "$FULL_POOL" | sed "s/2$k=1/2$k=$w/"); what="r$k at weight $w"; fi
  tab "$n"; [ "${TAB%% *}" = 1 ] && master=1
  write_pool "$n" "$pool"
  kill -HUP "${DPID[$n]}"
  if [ "$master" = 1 ] && ! pool_is "$n" "$pool" 5000; then
    violation fault "director $n (MASTER) did not apply its reload ($what) within 5 s" "wanted [$pool], table: $TAB"
  fi
  zz_ms "$d"
  restore_good "$n"
  kill -HUP "${DPID[$n]}"
  if [ "$master" = 1 ] && ! pool_is "$n" "$FULL_POOL" 5000; then
    violation fault "director $n (MASTER) did not apply the good file back within 5 s" "wanted [$FULL_POOL], table: $TAB"
  fi
  secs "$d"; DESC="reload of director $n with $what$([ "$master" = 1 ] && echo " (MASTER: applied)"), the good file back after $REPLY s"
  DISRUPT=0
}
f_real_dies() {
  local k=$1 d
  draw 2000 5000; d=$REPLY
  topo_nginx_stop "$k"
  zz_ms "$d"
  topo_nginx_start "$k" || harness_fail "nginx r$k did not restart"
  OUR_PIDS+=("${TOPO_NGINX_PID[$k]}")
  secs "$d"; DESC="nginx r$k SIGKILLed, restarted after $REPLY s"; DISRUPT=0
}
f_real_hangs() {
  local k=$1 d pid=${TOPO_NGINX_PID[$1]}
  draw 2000 5000; d=$REPLY
  kill -STOP "$pid"; zz_ms "$d"; kill -CONT "$pid"
  secs "$d"; DESC="nginx r$k stopped (SIGSTOP) $REPLY s"; DISRUPT=0
}
f_packets() {
  local s out
  draw 0 32767; s=$REPLY; draw 0 32767; s=$(( s * 32768 + REPLY ))
  out=$(ip netns exec "$TOPO_NS_C" "$TOPO_PYTHON" -S scripts/chaos/vm-chaos-inject.py "$s" veth0 2>&1) \
    || harness_fail "the hostile packets were not sent: $out"
  DESC="hostile VRRP packets from the client (burst $s): $out"; DISRUPT=0
}
f_signals() {
  local n=$1 sent=
  for _ in $(seq 10); do
    draw 0 1
    if [ "$REPLY" = 0 ]; then kill -USR1 "${DPID[$n]}"; sent+=" USR1"; else kill -USR2 "${DPID[$n]}"; sent+=" USR2"; fi
    zz 0.05
  done
  DESC="signals$sent to director $n"; DISRUPT=0
}
KINDS=(sigkill sigterm link-down sighup-storm broken-reload reload-change real-dies real-hangs hostile-packets signals)
declare -A FN=([sigkill]=f_sigkill [sigterm]=f_sigterm [link-down]=f_link [sighup-storm]=f_hup_storm
  [broken-reload]=f_broken [reload-change]=f_reload [real-dies]=f_real_dies [real-hangs]=f_real_hangs
  [hostile-packets]=f_packets [signals]=f_signals)
: > "$TOPO_DIR/faults.log"
now; T_FAULTS=$NOW
DEADLINE=$(( T_FAULTS + RUN_S * 1000 ))
while now && [ "$NOW" -lt "$DEADLINE" ]; do
  [ -s "$CTL/harness" ] && harness_fail "$(cat "$CTL/harness")"
  for n in 1 2; do   # a director that died on its own (the sampler reported it) is started again
    if ! alive "${DPID[$n]}"; then note "director $n is not running (see above): started again"; start_director "$n"; steady "$SETTLE_MS" || true; fi
  done
  draw 0 $(( ${#KINDS[@]} - 1 )); kind=${KINDS[$REPLY]}
  case $kind in
    real-*) draw 1 3 ;;
    hostile-packets) REPLY=client ;;
    *) draw 1 2 ;;
  esac
  target=$REPLY
  tr1=$(transitions 1); tr2=$(transitions 2); p1=${DPID[1]}; p2=${DPID[2]}
  now; t_start=$NOW
  case $kind in sigkill|sigterm|link-down) set_window "$NEVER" "$kind (not healed yet)" ;; esac
  ${FN[$kind]} "$target"
  now; t_heal=$NOW
  rel "$t_start"; t_rel=$REPLY
  FAULTS[$kind]=$(( ${FAULTS[$kind]:-0} + 1 )); NFAULTS=$((NFAULTS + 1))
  if [ "$DISRUPT" = 1 ]; then
    set_window $(( t_heal + WINDOW_MS )) "$kind at ${t_rel} s"
    steady "$SETTLE_MS"; ok_steady=$?
    [ "$CONV_MS" -ge 0 ] && CONVS+=("$CONV_MS")
    [ "$STEADY_MS" -ge 0 ] && FAILBACKS+=("$STEADY_MS")
    extra="; one holder after $( [ "$CONV_MS" -ge 0 ] && { secs "$CONV_MS"; echo "$REPLY s"; } || echo never), director 1 holds after $( [ "$STEADY_MS" -ge 0 ] && { secs "$STEADY_MS"; echo "$REPLY s"; } || echo "—")"
    printf '# %7ss %s: %s%s\n' "$t_rel" "$kind" "$DESC" "$extra"
    [ "$ok_steady" = 0 ] || violation fault "after $kind at ${t_rel} s: director 1 (priority 150, preempt) did not hold the VIPs alone within $((SETTLE_MS / 1000)) s (holders: $HOLD)"
  else
    printf '# %7ss %s: %s\n' "$t_rel" "$kind" "$DESC"
  fi
  echo "$t_start $t_heal $kind $target" >> "$TOPO_DIR/faults.log"
  draw 3000 6000; zz_ms "$REPLY"
  if [ "$DISRUPT" = 0 ] && [ "${DPID[1]}" = "$p1" ] && [ "${DPID[2]}" = "$p2" ]; then
    for n in 1 2; do
      before=$([ "$n" = 1 ] && echo "$tr1" || echo "$tr2"); after=$(transitions "$n")
      [ "$after" -gt "$before" ] && violation 2 "director $n changed VRRP state during $kind at ${t_rel} s, which must cause none" \
        "$(grep "VI_1: [A-Z]* -> " "$TOPO_DIR/director$n.log" | tail -n $(( after - before )))"
    done
  fi
done
now; T_END=$NOW

# --- the final stop: SIGTERM to both directors; nothing may be left behind
set_window "$NEVER" "the final stop"
for n in 1 2; do stop_director "$n" TERM; done
for n in 1 2; do
  wait_gone "${DPID[$n]}" "$TERM_LIMIT_MS" || { violation 6 "director $n did not end within 10 s of the final SIGTERM" "$(tail -n 15 "$TOPO_DIR/director$n.log")"; topo_director_kill "$n" KILL; }
done
for n in 1 2; do
  ns=$(topo_ns_director "$n")
  left=
  topo_has_vip "$n" && left+="the VIP 10.10.1.100; "
  ip -n "$ns" -4 addr show dev veth1 | grep -q "inet 10.10.2.1/" && left+="the gateway VIP; "
  ip netns exec "$ns" ipvsadm -Ln | grep -qE "^(TCP|UDP|FWM|SCTP) " && left+="IPVS services; "
  [ -n "$left" ] && violation 6 "after the final SIGTERM director $n left ${left% }" "$(ip netns exec "$ns" ipvsadm -Ln)"
  daemons=$(ip netns exec "$ns" ipvsadm -L --daemon 2>&1)
  [ -n "$daemons" ] && note "director $n's kernel still runs a sync daemon after the stop: $daemons"
done
for pg in "${DIRECTOR_PIDS[@]}"; do
  kill -0 -- "-$pg" 2>/dev/null && violation 6 "process group $pg (a director) is left after the final stop" "$(ps -o pid,stat,args -g "$pg" 2>&1)"
done
[ -s "$CTL/harness" ] && harness_fail "$(cat "$CTL/harness")"
topo_client_stop
stop_helpers

# --- the figures, read before the cleanup removes the run's directory
kinds_report=$(for k in "${!FAULTS[@]}"; do printf '  %-16s %s\n' "$k" "${FAULTS[$k]}"; done | sort)
median_max() {   # median_max VALUES… -> "median X ms, max Y ms"
  [ $# -gt 0 ] || { REPLY="none"; return; }
  local s; s=$(printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "median %d ms, max %d ms", v[int((NR + 1) / 2)], v[NR] }')
  REPLY=$s
}
median_max "${CONVS[@]}"; conv_report=$REPLY
median_max "${FAILBACKS[@]}"; failback_report=$REPLY
# (No process substitution: the VM's minimal /dev has no /dev/fd.)
read -r dual_ms none_ms split_ms <<< "$(awk '{ s[$1] += $2 } END { printf "%d %d %d\n", s["dual"], s["none"], s["split"] }' "$CTL/bad2" 2>/dev/null)"
: "${dual_ms:=0}" "${none_ms:=0}" "${split_ms:=0}"
bad3_ms=$(awk '{ s += $2 } END { print s + 0 }' "$CTL/bad3" 2>/dev/null || echo 0)
client_report=$(awk -v a="$T_FAULTS" -v b="$T_END" -v t0="$T0" -v flog="$TOPO_DIR/faults.log" '
  BEGIN { n = 0; while ((getline l < flog) > 0) { split(l, f, " "); n++; fs[n] = f[1]; fk[n] = f[3] } }
  $1 < a || $1 > b { next }
  $2 == "ok" { ok++; if (last != "" && $1 - last > gap) { gap = $1 - last; at = last }; last = $1; next }
  { fail++; k = "before the first fault"; for (i = n; i >= 1; i--) if (fs[i] <= $1) { k = fk[i]; break }; byk[k]++ }
  END {
    printf "  client: %d requests ok, %d failed; longest gap between answers %.1f s (from %.1f s)\n", ok, fail, gap / 1000, (at - t0) / 1000
    for (k in byk) printf "    failed during %s (to the next fault): %d\n", k, byk[k]
  }' "$CLIENT_OUT" 2>/dev/null)
client_ok=$(awk -v a="$T_FAULTS" -v b="$T_END" '$1 >= a && $1 <= b && $2 == "ok"' "$CLIENT_OUT" | wc -l)
# Each process life is compared from WARMUP_MS after its instance left INIT (its log's "VI_1: INIT -> " line: the
# first start of the debug binary under TCG takes several seconds) to its last sample.
: > "$CTL/ready"
for pid in "${DIRECTOR_PIDS[@]}"; do
  line=$(cat "$TOPO_DIR"/director*.history "$TOPO_DIR"/director*.log 2>/dev/null | grep -m1 "vigil\[$pid\]: VI_1: INIT -> ")
  [ -n "$line" ] && echo "$pid $(date -d "${line%% vigil*}" +%s%3N 2>/dev/null)" >> "$CTL/ready"
done
res_report=$(awk -v t0="$T0" -v warm="$WARMUP_MS" '
  FILENAME ~ /ready$/ { if ($2 != "") ready[$1] = $2; next }
  !($3 in ready) || $1 < ready[$3] + warm { next }
  !($3 in first) { first[$3] = $0; order[++n] = $3 }
  { last[$3] = $0 }
  END {
    for (i = 1; i <= n; i++) {
      p = order[i]; split(first[p], a, " "); split(last[p], b, " ")
      printf "%s %s %.0f %.1f %.1f %d %d %.1f\n", b[2], p, (b[1] - a[1]) / 1000, a[4] / 1024, b[4] / 1024, a[5], b[5], (a[1] - t0) / 1000
    }
  }' "$CTL/ready" "$CTL/res" 2>/dev/null)
# The order of each takeover in the logs: the service 10.10.1.100:80 installed (or already in) before the VIPs.
order_report=$(for n in 1 2; do cat "$TOPO_DIR/director$n.history" "$TOPO_DIR/director$n.log" 2>/dev/null; done | awk '
  /Starting Vigil load balancer/ { svc = -1 }
  / ipvs: -A -t 10\.10\.1\.100:80/ { svc = 1 }
  / ipvs: -D -t 10\.10\.1\.100:80/ { svc = 0 }
  /VI_1: virtual addresses added/ { n++; if (svc == 1) before++; else if (svc == 0) after++; else unknown++ }
  END { printf "%d takeovers: the service logged before the VIPs in %d, the VIPs without it in %d, %d with a table kept from before (no -A in that process life)", n, before, after, unknown }')

# --- the cleanup, then what is left of the run
mapfile -t VIOLS_SAVED < "$CTL/violations"
LATE_VIOLS=(); VIOLS_IN_MEMORY=1
trap - INT TERM
cleanup_all
leftover=
for f in /proc/[0-9]*/stat; do
  read -r rest 2>/dev/null < "$f" || continue
  pid=${f#/proc/}; pid=${pid%/stat}
  rest=${rest##*) }; set -- $rest
  for pg in "${DIRECTOR_PIDS[@]}" "${TOPO_PGIDS[@]}"; do [ "${3:-}" = "$pg" ] && leftover+=" $pid"; done
done
for p in "${OUR_PIDS[@]}"; do alive "$p" && leftover+=" $p"; done
[ -n "$leftover" ] && violation 6 "processes of the run left after the cleanup:$leftover"
ns_left=$(ip netns list | awk '{ print $1 }' | grep "^${TOPO_P}" | tr '\n' ' ')
[ -n "$ns_left" ] && violation 6 "namespaces left after the cleanup: $ns_left"
[ -e "$TOPO_DIR" ] && violation 6 "the run's directory $TOPO_DIR is left"

# --- the report
VIOLS=()
for v in "${VIOLS_SAVED[@]}" "${LATE_VIOLS[@]}"; do [ -n "$v" ] && VIOLS+=("$v"); done
secs $(( T_END - T_FAULTS )); dur=$REPLY
echo
echo "vm chaos (seed $SEED, $RUN_S s): $NFAULTS faults in $dur s"
[ -n "$kinds_report" ] && echo "$kinds_report"
echo "  convergence after a healed sigkill/sigterm/link-down (one holder of both VIPs, lasting 1.5 s): $conv_report (window ${WINDOW_MS} ms)"
echo "  director 1 holding the VIPs again after it (failback hold included): $failback_report"
printf '  dual MASTER outside the windows: %s s; no MASTER: %s s; VIPs split: %s s\n' \
  "$(secs "$dual_ms"; echo "$REPLY")" "$(secs "$none_ms"; echo "$REPLY")" "$(secs "$split_ms"; echo "$REPLY")"
printf '  a VIP without its IPVS service (two samples or more): %s s\n' "$(secs "$bad3_ms"; echo "$REPLY")"
echo "  takeovers in the logs: $order_report"
echo "$client_report"
while read -r n pid span r0 r1 f0 f1 since; do
  [ -n "$n" ] || continue
  printf '  director %s pid %s (from %s s, %s s observed): RSS %s -> %s MiB, descriptors %s -> %s\n' "$n" "$pid" "$since" "$span" "$r0" "$r1" "$f0" "$f1"
  if [ $(( f1 - f0 )) -gt "$FD_LIMIT" ]; then
    violation 5 "director $n (pid $pid) descriptors grew $f0 -> $f1 over $span s"
    VIOLS+=("0|5|director $n (pid $pid) descriptors grew $f0 -> $f1")
  fi
done <<< "$res_report"
echo "  invariant violations: ${#VIOLS[@]}"
for k in 1 2 3 4 5 6 fault; do
  c=0; for v in "${VIOLS[@]}"; do IFS='|' read -r _ inv _ <<< "$v"; [ "$inv" = "$k" ] && c=$((c + 1)); done
  [ "$c" -gt 0 ] && echo "    invariant $k: $c"
done
for v in "${VIOLS[@]}"; do
  IFS='|' read -r t inv what <<< "$v"
  if [ "$t" -gt 0 ]; then rel "$t"; else REPLY="  end"; fi
  printf '    %7ss [%s] %s\n' "$REPLY" "$inv" "$what"
done
M=${#VIOLS[@]}
if [ "$M" -eq 0 ] && [ "$NFAULTS" -gt 0 ] && [ "$client_ok" -gt 0 ]; then rc=0; else rc=1; fi
[ "$NFAULTS" -gt 0 ] || echo "FAIL - no fault was injected"
[ "$client_ok" -gt 0 ] || echo "FAIL - the client was never answered during the faults"
echo "$([ "$rc" = 0 ] && echo "ok  " || echo FAIL) - vm chaos: $M violations in $NFAULTS faults"
echo "vm chaos: $NFAULTS faults, $M invariant violations"
exit "$rc"
