#!/usr/bin/env bash
# make install / make deb (issue #17): installs Vigil under DESTDIR with the layout of Debian's keepalived package.
#   VIGIL_PKG_BIN  the binary to install (make install and make deb build the static release one first)
#   DESTDIR        staging root (default: none, the live system)
#   PREFIX         default /usr: PREFIX/sbin/vigil, PREFIX/share/{man,doc,bash-completion}, PREFIX/lib/systemd/system
#   SYSCONFDIR     default /etc: SYSCONFDIR/default/vigil (kept if it is already there)
#   STRIP          default yes: strip the installed binary (no debug symbols)
# Prints each file it installs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VIGIL_PKG_BIN:?VIGIL_PKG_BIN names the binary to install}
prefix=${PREFIX:-/usr}
dest=${DESTDIR:-}
sysconf=${SYSCONFDIR:-/etc}
[ -x "$bin" ] || { echo "install: $bin is not an executable (build it first: make build-static)" >&2; exit 1; }
case "$prefix" in /*) ;; *) echo "install: PREFIX must be absolute (got '$prefix')" >&2; exit 1 ;; esac

put() {  # mode source target
  install -D -m "$1" "$2" "$dest$3"
  echo "  $3"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "install: $bin into ${dest:-/} (prefix $prefix)"
put 0755 "$bin" "$prefix/sbin/vigil"
if [ "${STRIP:-yes}" = yes ]; then strip --strip-unneeded "$dest$prefix/sbin/vigil"; fi

sed "s|@SBINDIR@|$prefix/sbin|g" "$root/Samples/debian/vigil.service" > "$tmp/vigil.service"
put 0644 "$tmp/vigil.service" "$prefix/lib/systemd/system/vigil.service"
if [ -n "$dest" ] || [ ! -e "$sysconf/default/vigil" ]; then
  put 0644 "$root/Samples/debian/default" "$sysconf/default/vigil"
else
  echo "  $sysconf/default/vigil kept (already there)"
fi

# Man pages and completion come from the installed binary itself, so they describe exactly what was installed.
python3 "$root/scripts/package/man.py" "$dest$prefix/sbin/vigil" "$tmp/man"
for page in vigil.8:man8 vigil.conf.5:man5; do
  gzip -9n < "$tmp/man/${page%%:*}" > "$tmp/${page%%:*}.gz"
  put 0644 "$tmp/${page%%:*}.gz" "$prefix/share/man/${page##*:}/${page%%:*}.gz"
done
"$dest$prefix/sbin/vigil" --generate-completion-script bash > "$tmp/vigil.bash"
put 0644 "$tmp/vigil.bash" "$prefix/share/bash-completion/completions/vigil"

doc="$prefix/share/doc/vigil"
put 0644 "$root/README.md" "$doc/README.md"
for f in "$root"/docs/*.md; do put 0644 "$f" "$doc/$(basename "$f")"; done
for d in "$root"/Samples/*/; do
  name=$(basename "$d")
  [ "$name" = debian ] && continue
  for f in "$d"*; do [ -f "$f" ] && put 0644 "$f" "$doc/examples/$name/$(basename "$f")"; done
done
echo "install: done"
