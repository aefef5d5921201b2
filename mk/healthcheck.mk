# HealthCheck (issue #5): host integration suite and benchmark.
HOST_TESTS += test-host-healthcheck

.PHONY: test-host-healthcheck

## Probes against nginx (HTTP/HTTPS), misbehaving servers, DNS/SMTP/UDP responders, scripts; genhash equality.
test-host-healthcheck:
	@scripts/require-root.sh "HealthCheck host suite"
	VIGIL_TIER=host $(SWIFT) test --skip-build --filter HealthCheckIntegrationTests

