import Testing
@testable import HealthCheck

@Test("The HealthCheck module links")
func HealthCheckModuleLinks() {
    #expect(HealthCheckModule.name == "HealthCheck")
}
