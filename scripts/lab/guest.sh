#!/bin/bash
# Stage 2 of the lab VM, running on the host's userland (read-only root): set up the
# module loader, loopback and a writable HOME, run the command from the control share
# with cwd = repository, then report its exit status and power off.
ctl=/run/vigil-ctl
mountpoint -q /dev/pts || { mkdir -p /dev/pts; mount -t devpts devpts /dev/pts; }
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
kdir=$(cat $ctl/kdir)
# The host has no modules for this kernel at /lib/modules (read-only root): a wrapper
# pointing at the extracted package serves the kernel's auto-loading and, first in PATH,
# plain `modprobe` in the command.
mkdir -p /run/vigil-bin
printf '#!/bin/sh\nexec /sbin/modprobe -d %s "$@"\n' "$kdir" > /run/vigil-bin/modprobe
chmod +x /run/vigil-bin/modprobe
echo /run/vigil-bin/modprobe > /proc/sys/kernel/modprobe
# The host's python3 itself, not a version manager's shim (vm-run.sh resolved it).
py=$(cat $ctl/python3 2>/dev/null)
[ -n "$py" ] && [ -x "$py" ] && ln -sf "$py" /run/vigil-bin/python3
hostname vigil-lab
ip link set lo up
mkdir -p /tmp/home
export HOME=/tmp/home TMPDIR=/tmp
cd "$(cat $ctl/repo)" || { echo "VIGIL-LAB-EXIT=125"; /bin/busybox poweroff -f; }
echo "vigil-lab: guest up ($(uname -r)), running: $(tail -n1 $ctl/cmd)"
set +e
bash $ctl/cmd < /dev/null
rc=$?
echo "$rc" > $ctl/rc
sync
echo "VIGIL-LAB-EXIT=$rc"
/bin/busybox poweroff -f
