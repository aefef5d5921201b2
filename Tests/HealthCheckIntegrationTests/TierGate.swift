import Foundation
import Testing

/// True when the runner asked for the "host" tier (VIGIL_TIER=host). Suites in
/// this target use `.enabled(if: tierEnabled)`; once enabled, a missing
/// prerequisite must fail the test with a message, never skip it.
let tierEnabled = ProcessInfo.processInfo.environment["VIGIL_TIER"]?
    .split(separator: ",").contains("host") ?? false

@Test("HealthCheckIntegrationTests runs only in the host tier", .enabled(if: tierEnabled))
func HealthCheckIntegrationTestsTierIsRoot() {
    #expect(getuid() == 0, "the host tier needs root")
}
