import Foundation
import Testing

/// True when the runner asked for the "vm" tier (VIGIL_TIER=vm). Suites in
/// this target use `.enabled(if: tierEnabled)`; once enabled, a missing
/// prerequisite must fail the test with a message, never skip it.
let tierEnabled = ProcessInfo.processInfo.environment["VIGIL_TIER"]?
    .split(separator: ",").contains("vm") ?? false

@Test("IPVSKernelTests runs only in the vm tier", .enabled(if: tierEnabled))
func IPVSKernelTestsTierIsRoot() {
    #expect(getuid() == 0, "the vm tier needs root")
}
