# Chaos (issue #18, docs/reliability.md): seeded, time-bounded fault injection with invariants checked all along.
# The short host run is part of the host tier; `make chaos` runs it alone, longer with CHAOS_SECONDS (1800 for the
# long run), and replays a failure with CHAOS_SEED (the seed is printed first).
CHAOS_SECONDS ?= 60
CHAOS_SEED ?=
HOST_TESTS += test-host-chaos
.PHONY: chaos test-host-chaos

## The host tier's short run: VRRP only, two Vigil nodes and keepalived on one bridge (scripts/chaos/host-chaos.py).
test-host-chaos:
	@scripts/require-root.sh "chaos host run"
	scripts/chaos/host-chaos.py --vigil $(VIGIL_BIN) --seconds $(CHAOS_SECONDS) $(if $(CHAOS_SEED),--seed $(CHAOS_SEED))

chaos: build
	@$(MAKE) --no-print-directory test-host-chaos

# The load run (issue #18): 10,000 real servers checked every second and a reload every 2 s for 10 minutes, the IPVS
# table in memory (this host's kernel has no IPVS; the lab VM is emulated). See docs/reliability.md, "Load".
BENCHES += bench-load
.PHONY: bench-load
## Args through LOAD_ARGS: "N SECONDS RELOAD" (default "10000 600 2").
bench-load: build-release
	@scripts/require-root.sh "load run"
	VIGIL_BENCH_BIN=$(VIGIL_RELEASE_BIN) scripts/chaos/load.sh $(LOAD_ARGS)

# The VM chaos run (issue #18, scripts/chaos/vm-chaos.sh): the whole director — two Vigil directors with the kernel's
# IPVS, three nginx real servers, a client — under random faults, in one boot of the VM lab. Not in `make test` (the
# host run is); CHAOS_VM_SECONDS (default 120; 900 for the long run) and CHAOS_SEED as for `make chaos`.
CHAOS_VM_SECONDS ?= 120
.PHONY: chaos-vm
chaos-vm: build
	@scripts/require-root.sh "VM chaos run"
	VIGIL_LAB_SMP=$${VIGIL_LAB_SMP:-2} VIGIL_LAB_TIMEOUT=$$(( $(CHAOS_VM_SECONDS) + 900 )) scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) \
	  scripts/chaos/vm-chaos.sh --seconds $(CHAOS_VM_SECONDS) $(if $(CHAOS_SEED),--seed $(CHAOS_SEED))
