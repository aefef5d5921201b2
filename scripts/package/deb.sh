#!/usr/bin/env bash
# make deb (issue #17): out/vigil_<version>_<arch>.deb built with dpkg-deb from a staged `make install` of
# VIGIL_PKG_BIN (make deb: the release binary linked with --static-swift-stdlib, so no Swift toolchain is needed).
# Depends is what dpkg-shlibdeps finds for the binary's shared libraries (libnl, libnftables, libpcre2-8, libc, ...).
# DEB_ALLOW_UNPACKAGED_LIBS=1 lets a binary that links libraries no package owns (a debug build's Swift runtime)
# be packaged anyway, for the layout test of the host tier; a release package never sets it.
# Prints the package's path last.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VIGIL_PKG_BIN:?VIGIL_PKG_BIN names the binary to package}
out=${DEB_OUT:-$root/out}
for tool in dpkg-deb dpkg-shlibdeps strip python3; do
  command -v "$tool" >/dev/null || { echo "deb: $tool is missing (apt-get install dpkg-dev binutils python3)" >&2; exit 1; }
done
version=$("$bin" --version | awk '{print $2}' | sed 's/^v//')
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "deb: '$version' from $bin --version is no package version" >&2; exit 1; }
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg="$stage/root"

DESTDIR="$pkg" PREFIX=/usr SYSCONFDIR=/etc VIGIL_PKG_BIN="$bin" "$root/scripts/package/install.sh" >/dev/null

# dpkg-shlibdeps wants a source tree: a minimal debian/control is enough.
mkdir -p "$stage/src/debian"
printf 'Source: vigil\n\nPackage: vigil\nArchitecture: any\n' > "$stage/src/debian/control"
extra=()
[ "${DEB_ALLOW_UNPACKAGED_LIBS:-0}" = 1 ] && extra=(--ignore-missing-info)
depends=$(cd "$stage/src" && dpkg-shlibdeps "${extra[@]}" -O -e "$pkg/usr/sbin/vigil" 2>"$stage/shlibdeps.err" \
  | sed -n 's/^shlibs:Depends=//p') || { cat "$stage/shlibdeps.err" >&2; exit 1; }
[ -n "$depends" ] || { echo "deb: dpkg-shlibdeps found no dependencies" >&2; cat "$stage/shlibdeps.err" >&2; exit 1; }

mkdir -p "$pkg/DEBIAN"
cat > "$pkg/DEBIAN/control" <<EOF
Package: vigil
Version: $version
Architecture: $arch
Maintainer: Vigil developers <vigil@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $depends
Suggests: ipvsadm, bird2
Section: net
Priority: optional
Description: keepalived-compatible VRRP and IPVS load-balancer controller
 Vigil reads keepalived.conf unchanged: it fails virtual IP addresses over
 between directors with VRRP (interoperating with keepalived), programs the
 kernel's IPVS table from the virtual_server blocks over generic netlink,
 and health-checks the real servers. vigil.service conflicts with
 keepalived.service; it is not enabled or started on installation.
EOF
echo /etc/default/vigil > "$pkg/DEBIAN/conffiles"
cat > "$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# Makes systemd see the unit; the service is not enabled or started (it would stop a running keepalived).
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
EOF
cat > "$pkg/DEBIAN/prerm" <<'EOF'
#!/bin/sh
# Stops the daemon before its binary goes (SIGTERM: priority-0 adverts, VIPs removed, IPVS services released).
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop vigil.service >/dev/null 2>&1 || true
fi
exit 0
EOF
cat > "$pkg/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums)

mkdir -p "$out"
deb="$out/vigil_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "deb: $(du -h "$deb" | cut -f1) ($(du -sk --exclude=DEBIAN "$pkg" | cut -f1) KiB installed), Depends: $depends"
echo "$deb"
