# Seeing it (issue #6): control endpoint, vigil status, dashboard, dumps, systemd notify. See docs/control.md.
HOST_TESTS += test-host-control
.PHONY: test-host-control

## vigil run -P in a network namespace: /status, /metrics, /events, vigil status, the dashboard in headless
## Chromium, SIGUSR1/SIGUSR2 dumps, NOTIFY_SOCKET, -t, --no-control (root).
test-host-control:
	@scripts/require-root.sh "control host tier"
	VIGIL_BIN=$(VIGIL_BIN) scripts/control/host-tests.sh

VM_TESTS += test-vm-control
.PHONY: test-vm-control test-vm-control-direct

## Inside the VM (make test-vm): the pool side of /status and /metrics with real IPVS and nginx.
test-vm-control:
	VIGIL_BIN=$(VIGIL_BIN) scripts/control/vm-tests.sh

## The same suite booting its own VM (root; make build first).
test-vm-control-direct:
	@scripts/require-root.sh "control VM suite"
	VIGIL_LAB_TIMEOUT=600 scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/control/vm-tests.sh
