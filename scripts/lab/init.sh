#!/bin/busybox sh
# /init of the lab's initramfs (stage 1): load the virtio/9p modules, mount the host
# root read-only, tmpfs over the writable places, the run's control share and the
# repository share (read-write, at its host path), then switch_root into stage 2
# (guest.sh from the control share) running on the host's own userland.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
fail() { echo "vigil-lab: stage 1: $*"; echo "VIGIL-LAB-EXIT=125"; poweroff -f; sleep 5; }
while read -r m; do insmod "/modules/$m" 2>/dev/null || true; done < /modules/order
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /mnt || fail "cannot mount the host root"
for d in run tmp var/tmp; do mount -t tmpfs -o mode=1777 tmpfs "/mnt/$d" || fail "tmpfs on /$d"; done
mkdir -p /mnt/run/vigil-ctl
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144 vigilctl /mnt/run/vigil-ctl || fail "cannot mount the control share"
repo=$(cat /mnt/run/vigil-ctl/repo)
[ -d "/mnt$repo" ] || mkdir -p "/mnt$repo" || fail "cannot create mount point $repo"
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144,cache=mmap vigilrepo "/mnt$repo" || fail "cannot mount the repository at $repo"
mount --move /dev /mnt/dev
mount --move /proc /mnt/proc
mount --move /sys /mnt/sys
exec switch_root /mnt /bin/bash /run/vigil-ctl/guest.sh
