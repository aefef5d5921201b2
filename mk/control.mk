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

## Inside the VM (make test-vm): the pool side of /status and /metrics with real IPVS and nginx (the dashboard's
## screenshot is taken on the host afterwards: scripts/control/vm-dashboard-check.sh).
test-vm-control:
	VIGIL_BIN=$(VIGIL_BIN) scripts/control/vm-tests.sh

## The same suite booting its own VM (root; make build first).
test-vm-control-direct:
	@scripts/require-root.sh "control VM suite"
	VIGIL_LAB_TIMEOUT=600 scripts/lab/vm-run.sh env VIGIL_BIN=$(VIGIL_BIN) scripts/control/vm-tests.sh
	scripts/control/vm-dashboard-check.sh

# keepalived's command line and signals (issue #12). See docs/control.md.
HOST_TESTS += test-host-cli
.PHONY: test-host-cli

## vigil with keepalived's options and through a `keepalived` link in a network namespace: the signal dumps at
## keepalived's paths and layouts, signals that must not kill it, -t exit codes, --signum (root).
test-host-cli:
	@scripts/require-root.sh "cli host tier"
	VIGIL_BIN=$(VIGIL_BIN) scripts/control/cli-host-tests.sh
