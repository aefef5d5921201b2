import Testing
@testable import IPVS

@Test("The IPVS module links")
func IPVSModuleLinks() {
    #expect(IPVSModule.name == "IPVS")
}
