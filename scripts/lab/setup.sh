#!/usr/bin/env bash
# Prepares the IPVS lab: Debian's stock kernel (which has IPVS as modules), extracted
# under $VIGIL_LAB_CACHE (default /var/cache/vigil-lab), and a cached initramfs that
# mounts the host root read-only over 9p. Idempotent: a second run does nothing.
# Prints the kernel directory on stdout (last line). Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${VIGIL_LAB_CACHE:-/var/cache/vigil-lab}
log() { echo "lab-setup: $*" >&2; }

if [ "$(id -u)" != 0 ]; then echo "error: scripts/lab/setup.sh needs root" >&2; exit 1; fi
need=()
for c in qemu-system-x86_64:qemu-system-x86 cpio:cpio depmod:kmod ipvsadm:ipvsadm; do
  command -v "${c%%:*}" >/dev/null 2>&1 || need+=("${c##*:}")
done
# A static busybox (ldd fails on it); the dynamic one cannot run in the initramfs.
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then need+=(busybox-static); fi
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

# The kernel package linux-image-amd64 depends on today.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
  # Fall back to whatever is already cached (offline machine).
  pkg=$(ls -d "$cache"/linux-image-*/ 2>/dev/null | head -n1 | xargs -r basename)
  [ -n "$pkg" ] || { echo "error: cannot find the Debian kernel package (apt-cache depends linux-image-amd64)" >&2; exit 1; }
fi
kdir="$cache/$pkg"
if [ ! -e "$kdir/.done" ]; then
  log "fetching $pkg"
  rm -rf "$kdir" "$cache/dl"; mkdir -p "$cache/dl"; chown _apt "$cache/dl" 2>/dev/null || true
  (cd "$cache/dl" && apt-get download "$pkg" >&2)
  dpkg-deb -x "$cache"/dl/"$pkg"_*.deb "$kdir"
  rm -rf "$cache/dl"
  touch "$kdir/.done"
fi
version=$(ls "$kdir/lib/modules" | head -n1)
[ -n "$version" ] || { echo "error: no modules in $kdir" >&2; exit 1; }
[ -e "$kdir/lib/modules/$version/modules.dep" ] && [ -e "$kdir/.depmod" ] || {
  depmod -b "$kdir" "$version"; touch "$kdir/.depmod"; }

# The initramfs: static busybox, the modules that reach the 9p root, and /init.
initrd="$kdir/initrd.gz"
stamp=$(sha256sum "$here/init.sh" | cut -c1-16)
if [ ! -e "$initrd" ] || [ "$(cat "$kdir/.initrd-stamp" 2>/dev/null)" != "$stamp" ]; then
  log "building initramfs"
  work=$(mktemp -d "$cache/initrd.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work"/{bin,dev,proc,sys,mnt,modules}
  cp /bin/busybox "$work/bin/busybox"
  moddir="$kdir/lib/modules/$version"
  order=()
  add_mod() {  # depth-first: dependencies first
    local name=$1 line path deps d
    line=$(grep -E "(^|/)$name\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | head -n1) || true
    [ -n "$line" ] || { echo "error: module $name not in $moddir/modules.dep" >&2; exit 1; }
    path=${line%%:*}; deps=${line#*:}
    for d in $deps; do add_mod "$(basename "$d" | sed -E 's/\.ko(\.xz|\.zst)?$//')"; done
    for d in "${order[@]:-}"; do [ "$d" = "$path" ] && return 0; done
    order+=("$path")
  }
  for m in virtio_pci 9pnet_virtio 9p virtio-rng; do add_mod "$m"; done
  : > "$work/modules/order"
  for p in "${order[@]}"; do
    f=$(basename "$p")
    case "$f" in
      *.ko.xz) xz -dc "$moddir/$p" > "$work/modules/${f%.xz}"; f=${f%.xz} ;;
      *.ko.zst) zstd -qdc "$moddir/$p" > "$work/modules/${f%.zst}"; f=${f%.zst} ;;
      *) cp "$moddir/$p" "$work/modules/$f" ;;
    esac
    echo "$f" >> "$work/modules/order"
  done
  cp "$here/init.sh" "$work/init"; chmod +x "$work/init"
  (cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.new"
  mv "$initrd.new" "$initrd"
  echo "$stamp" > "$kdir/.initrd-stamp"
fi
echo "$kdir"
