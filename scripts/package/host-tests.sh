#!/usr/bin/env bash
# Host suite of the Debian package (issue #17): builds the package from VIGIL_PKG_BIN (default: the debug binary,
# packaged with DEB_ALLOW_UNPACKAGED_LIBS=1 because a debug build links the toolchain's Swift runtime; `make deb`
# packages the static release binary and refuses any library no Debian package provides), then installs it with
# dpkg into a private root (--root, maintainer scripts run chrootless) so the host's own packages are never touched:
# contents, control fields, the unit's shape, the man pages, bash completion, removal keeping the conffile, purge.
# DEB=path tests an already built package instead (make test-deb does this with the release one).
set -u
cd "$(dirname "$0")/../.."
. scripts/lib/suite.sh
VIGIL_BIN=${VIGIL_BIN:-$PWD/.build/debug/vigil}
WORK=$(mktemp -d /tmp/vigil-package.XXXXXX)
finish() {
  local rc=$?
  rm -rf "$WORK"
  suite_summary "package host tests" "$rc"
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM

suite_need_root "the package suite (dpkg --root)"
suite_need_tools dpkg dpkg-deb dpkg-shlibdeps man bash python3 gzip systemd-analyze

if [ -z "${DEB:-}" ]; then
  [ -x "$VIGIL_BIN" ] || { echo "error: $VIGIL_BIN is missing (make build)" >&2; exit 1; }
  check "scripts/package/deb.sh builds a package" \
    bash -c "DEB_OUT=$WORK/out DEB_ALLOW_UNPACKAGED_LIBS=1 VIGIL_PKG_BIN=$VIGIL_BIN scripts/package/deb.sh > $WORK/deb.out 2>&1"
  DEB=$(tail -1 "$WORK/deb.out")
  [ -f "$DEB" ] || { cat "$WORK/deb.out"; exit 1; }
  BIN_FOR_VERSION=$VIGIL_BIN
else
  BIN_FOR_VERSION=""
fi
field() { dpkg-deb -f "$DEB" "$1"; }
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|' > "$WORK/contents"
has() { grep -qx "$1" "$WORK/contents"; }

# --- the package's control data
check "Package: vigil, Architecture: this machine's" bash -c "[ '$(field Package)' = vigil ] && [ '$(field Architecture)' = $(dpkg --print-architecture) ]"
if [ -n "$BIN_FOR_VERSION" ]; then
  check "Version is the binary's (vigil --version)" \
    bash -c "[ '$(field Version)' = \"\$($BIN_FOR_VERSION --version | awk '{print \$2}' | sed 's/^v//')\" ]"
fi
for lib in libnl-3-200 libnl-genl-3-200 libnftables1 libpcre2-8-0 libc6; do
  check "Depends names $lib (from dpkg-shlibdeps)" bash -c "dpkg-deb -f $DEB Depends | grep -q '$lib'"
done
check "Depends names no Swift toolchain package" bash -c "! dpkg-deb -f $DEB Depends | grep -qi swift"
check "/etc/default/vigil is a conffile" bash -c "dpkg-deb -I $DEB conffiles | grep -qx /etc/default/vigil"

# --- contents
for f in /usr/sbin/vigil /usr/lib/systemd/system/vigil.service /etc/default/vigil /usr/share/man/man8/vigil.8.gz \
         /usr/share/man/man5/vigil.conf.5.gz /usr/share/bash-completion/completions/vigil \
         /usr/share/doc/vigil/README.md /usr/share/doc/vigil/keywords.md \
         /usr/share/doc/vigil/examples/lvs-nat/master.conf; do
  check "the package holds $f" has "$f"
done

# --- installed with dpkg into a private root
R="$WORK/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc/keepalived"
: > "$R/var/lib/dpkg/status"
# --path-include: a host whose dpkg.cfg.d excludes docs and man pages (minimal container images) must not skew the test.
inst() { dpkg --root="$R" --force-depends --force-script-chrootless --log=/dev/null --path-include='/*' "$@"; }
check "dpkg -i installs it" bash -c "$(declare -f inst); R=$R; inst -i $DEB > $WORK/dpkg-i.log 2>&1"
check "dpkg reports it installed" bash -c "dpkg --root=$R -s vigil | grep -q '^Status: install ok installed'"
check "the installed binary runs (vigil --version)" bash -c "$R/usr/sbin/vigil --version | grep -q '^Vigil v$(field Version) '"
# Where no Swift toolchain is installed: the toolchain's directory hidden by an empty bind mount (a private mount
# namespace), the package's binary must still run. Only for a release package; a debug build links the runtime.
if readelf -d "$R/usr/sbin/vigil" | grep -q 'NEEDED.*libswift'; then
  echo "# this package's binary links the Swift runtime (a debug build): the no-toolchain check is make test-deb's"
else
  toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift || echo /opt/swift/usr/bin/swift)")")")
  mkdir -p "$WORK/empty"
  check "the installed binary runs with the Swift toolchain ($toolchain) hidden" \
    unshare --mount bash -c "mount --bind $WORK/empty $toolchain && [ -z \"\$(ls $toolchain)\" ] && $R/usr/sbin/vigil --version | grep -q '^Vigil v' && $R/usr/sbin/vigil check --no-host-checks -f $R/usr/share/doc/vigil/examples/lvs-nat/master.conf"
fi
check "the installed binary is stripped" bash -c "! readelf -S $R/usr/sbin/vigil | grep -q '\.debug_info'"
check "the installed binary checks a configuration (vigil check)" \
  bash -c "$R/usr/sbin/vigil check --no-host-checks -f $R/usr/share/doc/vigil/examples/lvs-nat/master.conf > $WORK/check.log 2>&1"

U="$R/usr/lib/systemd/system/vigil.service"
check "unit: Type=notify" grep -qx 'Type=notify' "$U"
check "unit: EnvironmentFile=-/etc/default/vigil" grep -qx 'EnvironmentFile=-/etc/default/vigil' "$U"
check "unit: ExecStart=/usr/sbin/vigil --dont-fork \$DAEMON_ARGS" grep -qx 'ExecStart=/usr/sbin/vigil --dont-fork $DAEMON_ARGS' "$U"
check "unit: reload by SIGHUP" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$U"
check "unit: ConditionFileNotEmpty on keepalived.conf" grep -qx 'ConditionFileNotEmpty=/etc/keepalived/keepalived.conf' "$U"
check "unit: Conflicts=keepalived.service" grep -qx 'Conflicts=keepalived.service' "$U"
# verify checks that ExecStart's binary exists: the unit is verified with its path moved into the private root.
sed "s|/usr/sbin/vigil|$R/usr/sbin/vigil|" "$U" > "$WORK/vigil.service"
check "systemd-analyze verify accepts the unit" \
  bash -c "systemd-analyze verify --man=no $WORK/vigil.service > $WORK/verify.log 2>&1 || { cat $WORK/verify.log; false; }"
check "/etc/default/vigil sets DAEMON_ARGS" grep -qx 'DAEMON_ARGS=""' "$R/etc/default/vigil"
check "the ExecStart line runs: the binary takes --dont-fork with DAEMON_ARGS (-t on a sample gives keepalived's 0/5/6)" \
  bash -c "$R/usr/sbin/vigil --dont-fork -t -f $R/usr/share/doc/vigil/examples/classic/master.conf 2>/dev/null; case \$? in 0|5|6) true;; *) false;; esac"

check "man vigil(8) renders without warnings and lists the subcommands" \
  bash -c "man --warnings -l $R/usr/share/man/man8/vigil.8.gz 2> $WORK/man8.err | grep -q 'vigil run' && [ ! -s $WORK/man8.err ]"
check "man vigil.conf(5) renders without warnings and lists vrrp_instance" \
  bash -c "man --warnings -l $R/usr/share/man/man5/vigil.conf.5.gz 2> $WORK/man5.err | grep -q 'vrrp_instance' && [ ! -s $WORK/man5.err ]"
check "vigil.conf(5) has every keyword of the table (vigil check --keywords --markdown)" \
  bash -c "n=\$($R/usr/sbin/vigil check --keywords --markdown | grep -c '^| \`'); m=\$(zcat $R/usr/share/man/man5/vigil.conf.5.gz | grep -c '^keepalived .*; Vigil:'); [ \"\$n\" -gt 100 ] && [ \"\$m\" -ge \"\$n\" ]"
check "bash completion completes the subcommands" \
  bash -c "source $R/usr/share/bash-completion/completions/vigil && COMP_WORDS=(vigil st) COMP_CWORD=1 COMP_LINE='vigil st' COMP_POINT=8 && _vigil && printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx status"

# --- removal and purge
echo 'DAEMON_ARGS="-D"' > "$R/etc/default/vigil"
check "dpkg -r removes it" bash -c "$(declare -f inst); R=$R; inst -r vigil > $WORK/dpkg-r.log 2>&1"
check "after -r the binary and the unit are gone" bash -c "[ ! -e $R/usr/sbin/vigil ] && [ ! -e $U ]"
check "after -r the edited /etc/default/vigil is kept" grep -qx 'DAEMON_ARGS="-D"' "$R/etc/default/vigil"
check "dpkg -P purges the conffile" bash -c "$(declare -f inst); R=$R; inst -P vigil > $WORK/dpkg-p.log 2>&1 && [ ! -e $R/etc/default/vigil ]"
