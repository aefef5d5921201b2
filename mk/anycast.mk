# Active-active directors announced through BIRD (issue #16, docs/anycast.md): the VM suite.
VM_TESTS += test-vm-anycast
.PHONY: test-vm-anycast test-vm-anycast-direct

## Inside the VM (make test-vm → make vm-inside): two directors, BIRD on each and on a router, ECMP, BFD.
test-vm-anycast:
	VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/anycast.sh

## The same suite booting its own VM (build first: make build).
test-vm-anycast-direct:
	@scripts/require-root.sh "anycast VM suite"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-600} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/anycast.sh

# The anycast benchmark: route convergence and connection survival with three directors (ANYCAST_DIRECTORS), then in
# the same VM boot VRRP failover's figures as the reference (scripts/director/bench.sh outage: a Vigil pair and a
# keepalived pair, VIGIL_BENCH_RUNS each, advert_int 1 and 0.1); release build.
BENCHES += bench-anycast
.PHONY: bench-anycast
bench-anycast: build-release
	@scripts/require-root.sh "anycast benchmark"
	VIGIL_LAB_SMP=$${VIGIL_LAB_SMP:-2} VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-2400} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_RELEASE_BIN) \
	  bash -c 'scripts/e2e/anycast-bench.sh; a=$$?; scripts/director/bench.sh outage; b=$$?; exit $$(( a || b ))'

# An mh real server down since its service was created has the slots it has where it went down later (issue #16).
VM_TESTS += test-vm-mh-slots
.PHONY: test-vm-mh-slots test-vm-mh-slots-direct
## Inside the VM: two services with the same mh pool and different histories send every flow alike.
test-vm-mh-slots:
	VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/mh-slots.sh

## The same suite booting its own VM (build first: make build).
test-vm-mh-slots-direct:
	@scripts/require-root.sh "mh slots VM suite"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-600} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/mh-slots.sh

# The mh order kept canonical without breaking connections (issue #16): not in make test-vm (it waits for the 30 s
# periodic check); run it alone.
.PHONY: test-vm-mh-order-direct
## One VM boot: a drifted mh list put back by the periodic check, 30 keep-alive connections kept (build first).
test-vm-mh-order-direct:
	@scripts/require-root.sh "mh order VM suite"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-600} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/e2e/mh-order.sh
