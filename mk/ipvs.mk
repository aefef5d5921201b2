# IPVS module (issue #4): VM-tier suites and the benchmark. See docs/ipvs.md.
VM_TESTS += test-vm-ipvs
.PHONY: test-vm-ipvs test-vm-ipvs-kernel lab-setup

IPVS_NETNS := vigil-ipvs-kt

## Prepare the qemu lab (kernel package, initramfs) without booting it.
lab-setup:
	scripts/lab/setup.sh

## Inside the VM (make test-vm): real IPVS kernel. On a host whose kernel has IPVS, run
## it directly with VIGIL_IPVS_REQUIRE_FRESH=0.
test-vm-ipvs:
	scripts/lab/checks/ipvs-no-module.sh
	@test -e /proc/net/ip_vs || modprobe ip_vs || { echo "error: test-vm-ipvs needs a kernel with IPVS (run it through make test-vm)" >&2; exit 1; }
	$(MAKE) --no-print-directory test-vm-ipvs-kernel
	scripts/lab/checks/ipvs-ownership.sh
	scripts/lab/checks/ipvs-http.sh

## The Swift kernel suites, in a private network namespace (its own IPVS table). The
## test bundle runs directly: `swift test --skip-build` would first compile the package
## manifest, which takes minutes under TCG.
test-vm-ipvs-kernel:
	@ip netns del $(IPVS_NETNS) 2>/dev/null || true
	ip netns add $(IPVS_NETNS)
	ip -n $(IPVS_NETNS) link set lo up
	@set -o pipefail; rc=0; \
	ip netns exec $(IPVS_NETNS) env VIGIL_TIER=vm VIGIL_IPVS_NETNS=$(IPVS_NETNS) \
	  .build/debug/VigilPackageTests.xctest --testing-library swift-testing --filter IPVSKernelTests || rc=$$?; \
	ip netns del $(IPVS_NETNS); exit $$rc

BENCHES += bench-ipvs
.PHONY: bench-ipvs bench-ipvs-inside

## One VM boot: vigil ipvs apply vs keepalived --check vs ipvsadm -R (release build of vigil).
## Prints the host load before and after: the VM's timings depend on it (compare ratios).
bench-ipvs:
	@scripts/require-root.sh "IPVS benchmark"
	$(MAKE) --no-print-directory build-release
	@echo "host load before: $$(uptime)"
	VIGIL_BENCH_BIN=$(VIGIL_RELEASE_BIN) scripts/lab/vm-run.sh scripts/lab/bench-ipvs.sh
	@echo "host load after: $$(uptime)"
