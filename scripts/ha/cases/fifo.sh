#!/usr/bin/env bash
# notify_fifo as keepalived 2.2.7 writes it (issue #13): the FIFO is created, notify_fifo_script is started with
# its path and reads it, one line per state change (`INSTANCE "VI_1" MASTER 150`); keepalived and Vigil each run the
# same file alone and their lines are compared; Vigil removes the FIFO it created at stop.
# Sourced by scripts/ha/host-tests.sh.

# fifo_reader NAME — a notify_fifo_script that appends each line it reads to NAME.out.
fifo_reader() {
  printf '#!/bin/sh\nwhile read -r line; do echo "$line" >> %s; done < "$1"\n' "$LAB_DIR/$1.out" > "$LAB_DIR/$1-reader.sh"
  chmod 755 "$LAB_DIR/$1-reader.sh"
}

# fifo_run NS DAEMON NAME [ACTION...] — DAEMON alone in NS with NAME.conf (a FIFO read by `fifo_reader NAME`);
# once it is MASTER, runs ACTION, then stops it (SIGTERM); prints the lines read.
fifo_run() {
  local ns=$1 daemon=$2 name=$3; shift 3
  lab_start "$daemon" "$ns" "$name" "$LAB_DIR/$name.conf"
  local pgid=$LAST_PGID
  lab_wait_vip "$ns" 10.9.0.100 8 || fail "$daemon did not take the VIP"
  [ -p "$LAB_DIR/$name.fifo" ] || fail "$daemon did not create the FIFO"
  sleep 0.5
  [ $# -gt 0 ] && "$@"
  lab_term "$name" "$pgid" || fail "$daemon did not stop on SIGTERM"
  sleep 0.5
  cat "$LAB_DIR/$name.out" 2>/dev/null
}

# fifo_lines NS DAEMON NAME — DAEMON alone in NS (150, VRRPv2 1 s) with a notify FIFO; becomes MASTER, then stops.
fifo_lines() {
  local ns=$1 daemon=$2 name=$3
  fifo_reader "$name"
  conf "$LAB_DIR/$name.conf" VI_1 150 2 1 10.9.0.100/24
  printf 'global_defs {\n    notify_fifo %s\n    notify_fifo_script %s\n}\n' "$LAB_DIR/$name.fifo" "$LAB_DIR/$name-reader.sh" \
    >> "$LAB_DIR/$name.conf"
  fifo_run "$ns" "$daemon" "$name"
}

case_notify_fifo_lines() {
  local k v
  k=$(fifo_lines "$NS_B" keepalived kb)
  v=$(fifo_lines "$NS_A" vigil va)
  echo "    keepalived wrote:"; echo "$k" | sed 's/^/      /'
  echo "    Vigil wrote:"; echo "$v" | sed 's/^/      /'
  echo "$v" | grep -qx 'INSTANCE "VI_1" MASTER 150' || fail "no MASTER line from Vigil"
  # A STOP line races the reader's end at shutdown (the FIFO closes and the script is ended), so it is not compared.
  [ "$(echo "$v" | grep -v ' STOP ')" = "$(echo "$k" | grep -v ' STOP ')" ] || fail "Vigil's lines differ from keepalived's"
  [ -e "$LAB_DIR/va.fifo" ] && fail "Vigil left the FIFO it created"
  true
}

ALL_CASES+=(case_notify_fifo_lines)

# notify_priority_changes, as keepalived 2.2.7 writes it: a tracked file (weight 1) moves the effective priority
# before the start, while MASTER and again; each daemon alone, same file, lines compared (BACKUP_PRIORITY 160 before
# BACKUP 160, then MASTER 160, MASTER_PRIORITY 130, MASTER_PRIORITY 155).
prio_lines() {
  local ns=$1 daemon=$2 name=$3 tf="$LAB_DIR/$3.tf"
  fifo_reader "$name"
  echo 10 > "$tf"
  conf "$LAB_DIR/$name.vi" VI_1 150 2 1 10.9.0.100/24 notify_priority_changes "track_file {" "    tf weight 1" "}"
  # The track file is defined above the instance: keepalived ignores an entry naming a block defined below it.
  { printf 'global_defs {\n    notify_fifo %s\n    notify_fifo_script %s\n}\nvrrp_track_file tf {\n    file %s\n}\n' \
      "$LAB_DIR/$name.fifo" "$LAB_DIR/$name-reader.sh" "$tf"; cat "$LAB_DIR/$name.vi"; } > "$LAB_DIR/$name.conf"
  fifo_run "$ns" "$daemon" "$name" prio_moves "$daemon" "$tf" "$LAB_DIR/$name.out"
}

# prio_moves DAEMON TRACKFILE OUT — the tracked value moves the priority to 130, then to 155.
prio_moves() {
  echo -20 > "$2"; lab_wait_log "$3" "PRIORITY 130" 4 || fail "$1 wrote no line for 130"
  echo 5 > "$2"; lab_wait_log "$3" "PRIORITY 155" 4 || fail "$1 wrote no line for 155"
}

case_notify_priority_changes() {
  local k v
  k=$(prio_lines "$NS_B" keepalived kb)
  v=$(prio_lines "$NS_A" vigil va)
  echo "    keepalived wrote:"; echo "$k" | sed 's/^/      /'
  echo "    Vigil wrote:"; echo "$v" | sed 's/^/      /'
  echo "$v" | grep -qx 'INSTANCE "VI_1" MASTER_PRIORITY 130' || fail "no MASTER_PRIORITY line from Vigil"
  [ "$(echo "$v" | grep -v ' STOP ')" = "$(echo "$k" | grep -v ' STOP ')" ] || fail "Vigil's lines differ from keepalived's"
  true
}

ALL_CASES+=(case_notify_priority_changes)

# init_file, as keepalived 2.2.7: a missing track file is created holding the value; `overwrite` writes an existing
# one at start. keepalived and Vigil each get the same two files.
case_track_file_init() {
  local d
  for d in keepalived vigil; do
    rm -f "$LAB_DIR/$d-new" "$LAB_DIR/$d-old"
    echo 3 > "$LAB_DIR/$d-old"
    conf "$LAB_DIR/$d.vi" VI_1 "$([ $d = vigil ] && echo 150 || echo 100)" 2 1 10.9.0.100/24 \
      "track_file {" "    new weight 0" "    old weight 0" "}"
    # Defined above the instance: keepalived ignores an entry naming a block defined below it.
    { printf 'vrrp_track_file new {\n    file %s\n    init_file 0\n}\nvrrp_track_file old {\n    file %s\n    init_file 0 overwrite\n}\n' \
        "$LAB_DIR/$d-new" "$LAB_DIR/$d-old"; cat "$LAB_DIR/$d.vi"; } > "$LAB_DIR/$d.conf"
  done
  lab_start_keepalived "$NS_B" kb "$LAB_DIR/keepalived.conf"
  lab_start_vigil "$NS_A" va "$LAB_DIR/vigil.conf"
  lab_wait_vip "$NS_A" 10.9.0.100 8 || fail "Vigil did not become MASTER (its track files should hold 0)"
  local k v
  k="$(cat "$LAB_DIR/keepalived-new" 2>/dev/null)/$(cat "$LAB_DIR/keepalived-old" 2>/dev/null)"
  v="$(cat "$LAB_DIR/vigil-new" 2>/dev/null)/$(cat "$LAB_DIR/vigil-old" 2>/dev/null)"
  echo "    new/old after start: keepalived $k, Vigil $v"
  [ "$v" = "0/0" ] || fail "Vigil's track files hold $v, expected 0/0"
  [ "$v" = "$k" ] || fail "Vigil's track files ($v) differ from keepalived's ($k)"
}

ALL_CASES+=(case_track_file_init)

# fifo_write_vrrp_states_on_reload, as keepalived 2.2.7: after a SIGHUP the states that did not change are written to
# the FIFO — a BACKUP or FAULT instance gets its line, a MASTER that stays MASTER none. VI_1 (150) is MASTER, VI_2 is
# in FAULT (a failing vrrp_script without weight); the lines after the reload are compared, keepalived's and Vigil's.
reload_fifo_lines() {
  local ns=$1 daemon=$2 name=$3 out="$LAB_DIR/$3.out" reader="$LAB_DIR/$3-reader.sh" c="$LAB_DIR/$3.conf" before
  printf '#!/bin/sh\nwhile read -r line; do echo "$line" >> %s; done < "$1"\n' "$out" > "$reader"
  chmod 755 "$reader"
  cat > "$c" <<CONF
global_defs {
    notify_fifo $LAB_DIR/$name.fifo
    notify_fifo_script $reader
    fifo_write_vrrp_states_on_reload
    script_user root
}
vrrp_script chk_false {
    script "/bin/false"
    interval 1
}
vrrp_instance VI_1 {
    state BACKUP
    interface veth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        10.9.0.100/24
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface veth0
    virtual_router_id 52
    priority 100
    advert_int 1
    track_script {
        chk_false
    }
    virtual_ipaddress {
        10.9.0.200/24
    }
}
CONF
  lab_start "$daemon" "$ns" "$name" "$c"
  local pgid=$LAST_PGID
  lab_wait_vip "$ns" 10.9.0.100 8 || fail "$daemon did not take VI_1's VIP"
  lab_wait_log "$out" 'INSTANCE "VI_2" FAULT' 8 || fail "$daemon did not write VI_2's FAULT line"
  sleep 1
  before=$(wc -l < "$out")
  kill -HUP "$(cat "$LAB_DIR/$name.pid")"
  sleep 3
  lab_term "$name" "$pgid" || fail "$daemon did not stop on SIGTERM"
  tail -n +"$((before + 1))" "$out" | grep -v ' STOP '
}

case_fifo_write_vrrp_states_on_reload() {
  local k v
  k=$(reload_fifo_lines "$NS_B" keepalived kb)
  v=$(reload_fifo_lines "$NS_A" vigil va)
  echo "    after SIGHUP keepalived wrote:"; echo "$k" | sed 's/^/      /'
  echo "    Vigil wrote:"; echo "$v" | sed 's/^/      /'
  echo "$v" | grep -q 'INSTANCE "VI_2" FAULT' || fail "Vigil wrote no FAULT line for VI_2 on reload"
  [ "$v" = "$k" ] || fail "Vigil's lines after the reload differ from keepalived's"
  true
}

ALL_CASES+=(case_fifo_write_vrrp_states_on_reload)

# notify_deleted, as keepalived 2.2.7: a SIGHUP removes VI_2 (MASTER, with notify_fault, notify_stop and a generic
# notify script). Without notify_deleted keepalived runs only the generic script and the FIFO with FAULT; with
# `notify_deleted SCRIPT` it runs SCRIPT, then the generic script and the FIFO with DELETED. Each daemon alone, same
# files; what VI_2 notified after the reload (scripts and FIFO, before the stop) is compared.
deleted_lines() {
  local ns=$1 daemon=$2 name=$3 deleted=$4 c="$LAB_DIR/$3.conf" notes="$LAB_DIR/$3.notes" rec="$PWD/scripts/ha/notify-record.sh"
  local before_n before_f
  fifo_reader "$name"
  : > "$notes"
  printf 'global_defs {\n    notify_fifo %s\n    notify_fifo_script %s\n    script_user root\n}\n' \
    "$LAB_DIR/$name.fifo" "$LAB_DIR/$name-reader.sh" > "$LAB_DIR/$name.head"
  conf "$LAB_DIR/$name.one" VI_1 150 2 1 10.9.0.100/24
  conf "$LAB_DIR/$name.two" VI_2 100 2 1 10.9.0.200/24 "notify \"$rec $notes\"" "notify_fault \"$rec $notes fault-script\"" \
    "notify_stop \"$rec $notes stop-script\"" ${deleted:+"notify_deleted \"$rec $notes deleted-script\""}
  sed -i 's/virtual_router_id 51/virtual_router_id 52/' "$LAB_DIR/$name.two"
  cat "$LAB_DIR/$name.head" "$LAB_DIR/$name.one" "$LAB_DIR/$name.two" > "$c"
  lab_start "$daemon" "$ns" "$name" "$c"
  local pgid=$LAST_PGID
  lab_wait_vip "$ns" 10.9.0.200 10 || fail "$daemon did not take VI_2's VIP"
  lab_wait_log "$notes" "INSTANCE VI_2 MASTER" 5 || fail "$daemon did not run VI_2's notify script for MASTER"
  sleep 1
  before_n=$(wc -l < "$notes"); before_f=$(wc -l < "$LAB_DIR/$name.out")
  cat "$LAB_DIR/$name.head" "$LAB_DIR/$name.one" > "$c"
  kill -HUP "$(cat "$LAB_DIR/$name.pid")"
  lab_wait_vip "$ns" 10.9.0.200 5 absent || fail "$daemon kept VI_2's VIP after the reload removed VI_2"
  sleep 2
  lab_has_vip "$ns" 10.9.0.100 || fail "$daemon dropped VI_1's VIP on the reload"
  echo "scripts:"; tail -n +"$((before_n + 1))" "$notes" | sort   # each script runs in its own process
  echo "fifo:"; tail -n +"$((before_f + 1))" "$LAB_DIR/$name.out" | grep VI_2
  lab_term "$name" "$pgid" || fail "$daemon did not stop on SIGTERM"
}

case_notify_deleted() {
  local k v mode label
  for mode in "" yes; do
    label=$([ -n "$mode" ] && echo with || echo without)
    k=$(deleted_lines "$NS_B" keepalived kb$mode "$mode")
    v=$(deleted_lines "$NS_A" vigil va$mode "$mode")
    echo "    $label notify_deleted, after the reload keepalived ran and wrote:"; echo "$k" | sed 's/^/      /'
    echo "    Vigil:"; echo "$v" | sed 's/^/      /'
    if [ -n "$mode" ]; then
      echo "$v" | grep -qx 'INSTANCE VI_2 DELETED 100' || fail "Vigil did not run the generic script with DELETED"
    else
      echo "$v" | grep -qx 'INSTANCE VI_2 FAULT 100' || fail "Vigil did not run the generic script with FAULT"
    fi
    [ "$v" = "$k" ] || fail "Vigil's notifications differ from keepalived's ($label notify_deleted)"
  done
  true
}

ALL_CASES+=(case_notify_deleted)
