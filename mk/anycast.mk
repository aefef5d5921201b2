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

# The anycast benchmark: route convergence and connection survival, in its own VM boot, release build.
BENCHES += bench-anycast
.PHONY: bench-anycast
bench-anycast: build-release
	@scripts/require-root.sh "anycast benchmark"
	VIGIL_LAB_TIMEOUT=$${VIGIL_LAB_TIMEOUT:-1200} scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_RELEASE_BIN) scripts/e2e/anycast-bench.sh
