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
