# IPVS module (issue #4): VM-tier suites and the benchmark. See docs/ipvs.md.
VM_TESTS += test-vm-ipvs
.PHONY: test-vm-ipvs lab-setup

## Prepare the qemu lab (kernel package, initramfs) without booting it.
lab-setup:
	scripts/lab/setup.sh

## Inside the VM (make test-vm): real IPVS kernel; also works on a host kernel with IPVS.
test-vm-ipvs:
	@test -e /proc/net/ip_vs || modprobe ip_vs || { echo "error: test-vm-ipvs needs a kernel with IPVS (run it through make test-vm)" >&2; exit 1; }
	ipvsadm -Ln
