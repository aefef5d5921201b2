import Testing
@testable import HA

@Test("The HA module links")
func HAModuleLinks() {
    #expect(HAModule.name == "HA")
}
