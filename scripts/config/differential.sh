#!/usr/bin/env bash
# Differential test of Vigil's config reading against `keepalived -t` (issue #12); see docs/config.md.
#   scripts/config/differential.sh [VIGIL_BIN] [--update] [--strict] [-v] [--notes]
# VIGIL_BIN: `vigil` or the standalone Config build (.build-config-standalone/config-standalone, from
# `scripts/config/standalone.sh check`); both take `check --no-host-checks --json -i ID -f FILE`. Default: $VIGIL_BIN,
# else .build/debug/vigil.
#   --update   print candidate lines (reason TODO) for Tests/Corpus/expected-differences.tsv and exit 0
#   --strict   also fail on stale table entries (differences that no longer occur); by default a warning
#   -v         print every message of both tools, per config
#   --notes    also list the lines keepalived comments on where Vigil says nothing (not keys, never fail)
# keepalived -t itself needs no root and writes its messages to stderr (-l -D add nothing with -t); it reads the
# file three times (parent, VRRP and checker), so messages repeat. Exit 0: OK; 5: errors reported, it would run;
# 6: scripts configured without script security, it would run; 4 (and others): it cannot run.
# Root: keepalived -t checks the interfaces a config names, so both tools run in a private network namespace
# with the same four interfaces on every host (eth0..eth3, two veth pairs), and in a private mount namespace with
# an empty /tmp and /run, where keepalived -t writes what the corpus asks of it (config_save_dir copies, …).
set -euo pipefail
cd "$(dirname "$0")/../.."
export VIGIL_ROOT="$PWD"

if ! command -v keepalived >/dev/null; then
    echo "error: the config differential test needs keepalived (apt-get install keepalived; 2.2.7 expected)" >&2
    exit 1
fi
version=$(keepalived -v 2>&1 | sed -n 's/^Keepalived v\([0-9.]*\).*/\1/p' | head -1)
if [ "$version" != "2.2.7" ]; then
    echo "warning: keepalived $version, the expected-differences table was made against 2.2.7" >&2
fi
if [ ! -d /usr/share/doc/keepalived/samples ]; then
    echo "error: /usr/share/doc/keepalived/samples is missing (Debian's keepalived package installs it)" >&2
    exit 1
fi
if ! command -v python3 >/dev/null; then
    echo "error: the config differential test needs python3" >&2
    exit 1
fi
scripts/require-root.sh "config differential test (keepalived -t in a network namespace)"

# shellcheck disable=SC2016
exec unshare --net --mount --propagation private -- bash -c '
    set -e
    mount -t tmpfs -o mode=1777 vigil-differential-tmp /tmp
    mount -t tmpfs -o mode=755 vigil-differential-run /run
    ip link set lo up
    ip link add eth0 type veth peer name eth1
    ip link add eth2 type veth peer name eth3
    for i in eth0 eth1 eth2 eth3; do ip link set "$i" up; done
    exec python3 scripts/config/differential.py "$@"
' differential "$@"
