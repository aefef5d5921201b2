# Director (issue #6): the VM end-to-end suite. See docs/director.md. `make demo` (top-level
# Makefile) runs scripts/demo.sh, which boots the same lab.
VM_TESTS += test-vm-director
.PHONY: test-vm-director test-vm-director-direct

## Inside the VM (make test-vm → make vm-inside): directors + nginx over LVS-NAT in namespaces.
test-vm-director:
	VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/director.sh

## The same suite booting its own VM (build first: make build).
test-vm-director-direct:
	@scripts/require-root.sh "director VM suite"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-600} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/director.sh

# keepalived 2.x as the peer director (scripts/e2e/keepalived-peer.sh), and the Director benchmarks
# (scripts/director/bench.sh). See docs/director.md, "keepalived as the peer" and "Benchmarks".
VM_TESTS += test-vm-keepalived-peer
BENCHES += bench-director
.PHONY: test-vm-keepalived-peer test-vm-keepalived-peer-direct bench-director bench-director-idle

## Inside the VM (make test-vm → make vm-inside): Vigil and keepalived as the two directors, both roles.
test-vm-keepalived-peer:
	VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/keepalived-peer.sh

## The same suite booting its own VM (build first: make build).
test-vm-keepalived-peer-direct:
	@scripts/require-root.sh "keepalived-peer VM suite"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-900} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/keepalived-peer.sh

## One VM boot: client-visible outage on MASTER crash (advert_int 1 and 0.1, Vigil pair vs keepalived pair,
## VIGIL_BENCH_RUNS each, default 3) and the idle daemon (RSS, CPU s/min), release build.
bench-director: build-release
	@scripts/require-root.sh "Director benchmark"
	VIGIL_LAB_TIMEOUT=1200 scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_RELEASE_BIN) scripts/director/bench.sh all

## Only the idle-daemon part (one VM boot).
bench-director-idle: build-release
	@scripts/require-root.sh "Director benchmark"
	VIGIL_LAB_TIMEOUT=600 scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_RELEASE_BIN) scripts/director/bench.sh idle

# The IPVS differential (issue #14, scripts/e2e/ipvs-differential.sh): for every config of the config differential
# corpus with virtual servers, the table `vigil -C` programs equals `keepalived -C`'s, all real servers up and all
# down. See docs/director.md, "keepalived's table, line for line".
VM_TESTS += test-vm-ipvs-differential
.PHONY: test-vm-ipvs-differential test-vm-ipvs-differential-direct

## Inside the VM (make test-vm → make vm-inside): vigil -C against keepalived -C, table for table.
test-vm-ipvs-differential:
	VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/ipvs-differential.sh

## The same suite booting its own VM (build first: make build); IPVSDIFF_ARGS picks configs by label substring.
test-vm-ipvs-differential-direct:
	@scripts/require-root.sh "IPVS differential VM suite"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-1500} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/ipvs-differential.sh $(IPVSDIFF_ARGS)

# Connections across failover, failback and a planned handover (issue #15, scripts/director/bench-connections.sh):
# a Vigil pair against a keepalived pair, LVS-NAT and LVS-DR, N long-lived connections, one VM boot. The VM tier runs
# the LVS-DR rounds of Vigil with 40 connections and checks ≥ 99 % survival in each phase (LVS-NAT: director.sh).
VM_TESTS += test-vm-connections-dr
BENCHES += bench-connections
.PHONY: test-vm-connections-dr test-vm-connections-dr-direct bench-connections

## Inside the VM (make test-vm → make vm-inside).
test-vm-connections-dr:
	BENCH_CONN_IMPLS=vigil BENCH_CONN_COUNTS=40:1 VIGIL_BIN=$(VIGIL_BIN) scripts/director/bench-connections.sh --check 99 dr

## The same booting its own VM (build first: make build).
test-vm-connections-dr-direct:
	@scripts/require-root.sh "connections VM suite"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-900} scripts/lab/vm-run.sh env BENCH_CONN_IMPLS=vigil BENCH_CONN_COUNTS=40:1 VIGIL_BIN=$(VIGIL_BIN) scripts/director/bench-connections.sh --check 99 dr

## One VM boot: BENCH_CONN_COUNTS ("N:INTERVAL ...", default "200:1 2000:10"), both pairs, NAT and DR, release build.
bench-connections: build-release
	@scripts/require-root.sh "connections benchmark"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-5400} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_RELEASE_BIN) $(if $(BENCH_CONN_COUNTS),BENCH_CONN_COUNTS="$(BENCH_CONN_COUNTS)") scripts/director/bench-connections.sh
