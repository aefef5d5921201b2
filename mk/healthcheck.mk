# HealthCheck (issue #5): host integration suite and benchmark.
HOST_TESTS += test-host-healthcheck

.PHONY: test-host-healthcheck

## Probes against nginx (HTTP/HTTPS), misbehaving servers, DNS/SMTP/UDP responders, scripts; genhash equality;
## checker fwmark and bind_if in a namespace (scripts/healthcheck/placement-host-tests.sh).
test-host-healthcheck:
	@scripts/require-root.sh "HealthCheck host suite"
	VIGIL_TIER=host $(SWIFT) test --skip-build --filter HealthCheckIntegrationTests
	VIGIL_BIN=$(CURDIR)/.build/debug/vigil scripts/healthcheck/placement-host-tests.sh


BENCHES += bench-healthcheck
.PHONY: bench-healthcheck

## 10,000 TCP_CHECKs at delay_loop 1 for 60 s (see docs/healthcheck.md): servers in their own namespace over veth
## (the director's CPU, against Vigil's previous NIO path in the same run), then all on loopback (the worst case).
## Args: scripts/healthcheck/bench.sh [N] [SECONDS].
bench-healthcheck: build-release
	VIGIL_BENCH_BIN=$(VIGIL_RELEASE_BIN) scripts/healthcheck/bench.sh
	VIGIL_BENCH_BIN=$(VIGIL_RELEASE_BIN) BENCH_TOPOLOGY=loopback BENCH_REFERENCE=0 scripts/healthcheck/bench.sh
